package io.pixelwise.losses;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a loss's options, failing with messages that name the full key
 * ({@code losses.<name>.<option>}), the value, where it was set and what was expected.
 */
final class LossOptions {
  private final String loss;
  private final Config options;

  LossOptions(String loss, Config options) {
    this.loss = loss;
    this.options = options;
  }

  String loss() {
    return loss;
  }

  /** {@code losses.<name>.<option>}. */
  String key(String option) {
    return "losses." + loss + "." + option;
  }

  IllegalArgumentException problem(String option, String expected) {
    String shown = key(option);
    if (options.hasPathOrNull(option)) {
      ConfigValue v = options.getValue(option);
      shown += " = " + v.render(com.typesafe.config.ConfigRenderOptions.concise()) + " (" + v.origin().description() + ")";
    }
    return new IllegalArgumentException(shown + ": " + expected);
  }

  double number(String option, double min, double max) {
    double v;
    try {
      v = options.getDouble(option);
    } catch (ConfigException e) {
      throw problem(option, "expected a number from " + min + " to " + max);
    }
    if (!(v >= min && v <= max)) {
      throw problem(option, "expected a number from " + min + " to " + max);
    }
    return v;
  }

  int integer(String option, int min) {
    int v;
    try {
      v = options.getInt(option);
    } catch (ConfigException e) {
      throw problem(option, "expected a whole number >= " + min);
    }
    if (v < min) {
      throw problem(option, "expected a whole number >= " + min);
    }
    return v;
  }

  String choice(String option, Set<String> allowed) {
    String v;
    try {
      v = options.getString(option);
    } catch (ConfigException e) {
      throw problem(option, "expected one of " + String.join(", ", allowed));
    }
    if (!allowed.contains(v)) {
      throw problem(option, "expected one of " + String.join(", ", allowed));
    }
    return v;
  }

  /** A list of finite numbers, each at least {@code min}. */
  List<Double> numbers(String option, double min) {
    List<Double> values;
    try {
      values = new ArrayList<>(options.getDoubleList(option));
    } catch (ConfigException e) {
      throw problem(option, "expected a list of numbers >= " + min);
    }
    for (double v : values) {
      if (!(v >= min) || Double.isInfinite(v)) {
        throw problem(option, "expected a list of numbers >= " + min + ", found " + v);
      }
    }
    return values;
  }
}
