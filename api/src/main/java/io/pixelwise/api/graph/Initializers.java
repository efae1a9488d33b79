package io.pixelwise.api.graph;

import org.tensorflow.ndarray.Shape;

/** The common initialisers. Fan-in/fan-out follow the TF/Keras convention for conv kernels [kh, kw, in, out]. */
public final class Initializers {
  /** stddev of a unit normal truncated at two standard deviations; TF divides by it too. */
  private static final double TRUNCATED_STDDEV = 0.87962566103423978;

  private Initializers() {}

  public static Initializer zeros() {
    return constant(0f);
  }

  /**
   * Every element {@code value}. The value is a placeholder with a default, which Grappler does not
   * fold: a fill of constants can be folded into a constant that the session's cached
   * initialization holds for as long as the session lives (see GraphContext#variable).
   */
  public static Initializer constant(float value) {
    return (tf, shape, seed) ->
        tf.fill(tf.constant(shape), tf.placeholderWithDefault(tf.constant(value), Shape.scalar()));
  }

  /** Truncated normal with the given standard deviation (the seeds' {@code random_normal(0.01)} style). */
  public static Initializer normal(double stddev) {
    return (tf, shape, seed) ->
        tf.math.mul(
            tf.random.statelessTruncatedNormal(tf.constant(shape), seed),
            tf.constant((float) stddev));
  }

  /** He et al. (2015): truncated normal with variance 2/fan_in; the right default before a ReLU. */
  public static Initializer heNormal() {
    return (tf, shape, seed) ->
        normal(Math.sqrt(2.0 / fanIn(shape)) / TRUNCATED_STDDEV).create(tf, shape, seed);
  }

  /** Glorot and Bengio (2010) uniform, the default of Keras and tf.layers. */
  public static Initializer glorotUniform() {
    return (tf, shape, seed) -> {
      float limit = (float) Math.sqrt(6.0 / (fanIn(shape) + fanOut(shape)));
      var unit = tf.random.statelessRandomUniform(tf.constant(shape), seed);
      return tf.math.sub(tf.math.mul(unit, tf.constant(2 * limit)), tf.constant(limit));
    };
  }

  /**
   * An initialiser by config name: {@code he-normal}, {@code glorot-uniform}, {@code zeros} or
   * {@code normal(<stddev>)}.
   */
  public static Initializer byName(String name) {
    String n = name.trim();
    if (n.startsWith("normal(") && n.endsWith(")")) {
      try {
        return normal(Double.parseDouble(n.substring(7, n.length() - 1)));
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    return switch (n) {
      case "he-normal" -> heNormal();
      case "glorot-uniform" -> glorotUniform();
      case "zeros" -> zeros();
      default ->
          throw new IllegalArgumentException(
              "unknown initializer '" + name
                  + "'; expected one of: he-normal, glorot-uniform, zeros, normal(<stddev>)");
    };
  }

  static long fanIn(Shape shape) {
    return shape.numDimensions() < 2 ? Math.max(1, shape.size()) : shape.size() / shape.get(shape.numDimensions() - 1);
  }

  static long fanOut(Shape shape) {
    int n = shape.numDimensions();
    return n < 2 ? Math.max(1, shape.size()) : shape.size() / shape.get(n - 2);
  }

}
