package com.google.common.base;

/**
 * Test data: stands in for another release of Guava's {@code Strings}, the way a plugin would bundle
 * a newer Guava than the runner's. {@link #bundledVersion} does not exist in the runner's Guava, so
 * a plugin that calls it works only if it gets its own copy.
 */
public final class Strings {
  private Strings() {}

  public static String bundledVersion() {
    return "99.0";
  }

  public static String repeat(String s, int count) {
    return String.valueOf(s).repeat(count);
  }
}
