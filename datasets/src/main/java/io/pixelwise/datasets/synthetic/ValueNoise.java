package io.pixelwise.datasets.synthetic;

/**
 * Smooth 2-D value noise in [0, 1] from a hashed lattice: cheap, stateless and reproducible, which
 * is all the textures need (a full Perlin/simplex library would add a dependency for no gain).
 */
final class ValueNoise {
  private final long seed;

  ValueNoise(long seed) {
    this.seed = seed;
  }

  /** Noise at (x, y); features are about one unit apart. */
  double at(double x, double y) {
    long x0 = (long) Math.floor(x);
    long y0 = (long) Math.floor(y);
    double fx = smooth(x - x0);
    double fy = smooth(y - y0);
    double top = lerp(lattice(x0, y0), lattice(x0 + 1, y0), fx);
    double bottom = lerp(lattice(x0, y0 + 1), lattice(x0 + 1, y0 + 1), fx);
    return lerp(top, bottom, fy);
  }

  /** Fractal sum of {@code octaves} octaves, each twice the frequency and half the amplitude. */
  double fractal(double x, double y, int octaves) {
    double sum = 0;
    double amplitude = 0.5;
    double norm = 0;
    for (int i = 0; i < octaves; i++) {
      sum += amplitude * at(x, y);
      norm += amplitude;
      x *= 2;
      y *= 2;
      amplitude /= 2;
    }
    return sum / norm;
  }

  private double lattice(long x, long y) {
    long h = seed ^ (x * 0x9E3779B97F4A7C15L) ^ (y * 0xC2B2AE3D27D4EB4FL);
    h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L;
    h = (h ^ (h >>> 29)) * 0x94D049BB133111EBL;
    h ^= h >>> 32;
    return (h >>> 11) * 0x1.0p-53;
  }

  private static double smooth(double t) {
    return t * t * (3 - 2 * t);
  }

  private static double lerp(double a, double b, double t) {
    return a + (b - a) * t;
  }
}
