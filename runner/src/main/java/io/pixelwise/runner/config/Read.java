package io.pixelwise.runner.config;

import com.typesafe.config.Config;
import java.util.Arrays;
import java.util.Locale;

/** Value checks shared by the settings records; every message names the full key. */
final class Read {
  private Read() {}

  /** An int of at least 1. */
  static int positive(Config c, String key) {
    int v = c.getInt(key);
    if (v < 1) {
      throw new IllegalArgumentException(key + " must be >= 1, got " + v);
    }
    return v;
  }

  /** An int of at least 0. */
  static int atLeastZero(Config c, String key) {
    int v = c.getInt(key);
    if (v < 0) {
      throw new IllegalArgumentException(key + " must be >= 0, got " + v);
    }
    return v;
  }

  /** {@code on} or {@code off} (any case). */
  static boolean onOff(String key, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new IllegalArgumentException(key + ": expected on or off, got '" + value + "'");
    };
  }

  /** One of {@code choices}, exactly as written. */
  static String oneOf(String key, String value, String... choices) {
    if (!Arrays.asList(choices).contains(value)) {
      throw new IllegalArgumentException(
          key + ": expected " + String.join(" or ", choices) + ", got '" + value + "'");
    }
    return value;
  }
}
