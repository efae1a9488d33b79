package io.pixelwise.backbones;

import io.pixelwise.api.graph.GraphContext;
import java.nio.charset.StandardCharsets;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.types.TFloat32;

/** Inverted dropout that is active only while {@link GraphContext#training()} is true. */
final class Dropout {
  private Dropout() {}

  /**
   * Zeroes each element with probability {@code rate} and scales the rest by {@code 1/(1-rate)}
   * while training; the identity otherwise.
   *
   * @param name distinguishes the random stream of this layer from the others
   */
  static Operand<TFloat32> apply(GraphContext ctx, String name, Operand<TFloat32> x, float rate) {
    if (rate <= 0f) {
      return x;
    }
    Ops tf = ctx.tf();
    // keep = 1 - rate while training, 1 at inference: floor(keep + u) is then a Bernoulli(keep)
    // mask while training and all ones otherwise, so one graph serves both modes.
    Operand<TFloat32> keep =
        tf.select(ctx.training(), tf.constant(1f - rate), tf.constant(1f));
    String path = ctx.path().isEmpty() ? name : ctx.path() + "/" + name;
    RandomUniform<TFloat32> u =
        tf.random.randomUniform(
            tf.shape(x),
            TFloat32.class,
            RandomUniform.seed(ctx.seed()),
            // A non-zero second seed makes the stream reproducible even for seed 0.
            RandomUniform.seed2(streamId(path)));
    // The mask is data, not a function of x to differentiate (it depends on x only through its
    // shape); the stop says so instead of relying on how Floor's gradient is registered.
    Operand<TFloat32> mask = tf.stopGradient(tf.math.div(tf.math.floor(tf.math.add(u, keep)), keep));
    return tf.math.mul(x, mask);
  }

  private static long streamId(String path) {
    long h = 0xcbf29ce484222325L;
    for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return h == 0 ? 1 : h;
  }
}
