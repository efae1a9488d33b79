package io.pixelwise.datasets.synthetic;

import java.util.SplittableRandom;

/** Packed 0xRRGGBB arithmetic for the renderer. */
final class Colors {
  private Colors() {}

  static int rgb(double r, double g, double b) {
    return clamp(r) << 16 | clamp(g) << 8 | clamp(b);
  }

  static int red(int c) {
    return c >> 16 & 0xff;
  }

  static int green(int c) {
    return c >> 8 & 0xff;
  }

  static int blue(int c) {
    return c & 0xff;
  }

  static int scale(int c, double f) {
    return rgb(red(c) * f, green(c) * f, blue(c) * f);
  }

  /** {@code c} brightened or darkened by {@code delta} levels on every channel. */
  static int offset(int c, double delta) {
    return rgb(red(c) + delta, green(c) + delta, blue(c) + delta);
  }

  static int mix(int a, int b, double t) {
    return rgb(
        red(a) + (red(b) - red(a)) * t,
        green(a) + (green(b) - green(a)) * t,
        blue(a) + (blue(b) - blue(a)) * t);
  }

  /** A random variation of {@code c}: each channel moved by up to {@code spread} levels. */
  static int jitter(int c, int spread, SplittableRandom random) {
    return rgb(
        red(c) + random.nextInt(-spread, spread + 1),
        green(c) + random.nextInt(-spread, spread + 1),
        blue(c) + random.nextInt(-spread, spread + 1));
  }

  static int pick(SplittableRandom random, int... colors) {
    return colors[random.nextInt(colors.length)];
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }
}
