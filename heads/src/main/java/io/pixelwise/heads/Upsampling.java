package io.pixelwise.heads;

import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.Initializer;
import io.pixelwise.api.graph.Initializers;
import io.pixelwise.api.graph.Layers;
import io.pixelwise.api.graph.ModelVariable;
import io.pixelwise.api.graph.VariableRole;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Learned upsampling by transposed convolution, and the bilinear kernel that starts it as
 * bilinear interpolation.
 *
 * <p>Geometry: backbones with 'SAME' convs and pools that pad at the end put feature pixel i of
 * stride s at input pixel {@code s*i + (s-1)/2} and make the map {@code ceil(H/s)} long. A
 * transposed conv with stride f and kernel {@code 2f - f%2} to length {@code f*h} puts input pixel
 * j exactly at {@code f*j + (f-1)/2} (TensorFlow's 'SAME' padding of the matching forward conv
 * is {@code f - f%2}, split with the smaller half first), so upsampling to the multiple and
 * cropping the end aligns every stage for any input size, with no offset bookkeeping.
 */
final class Upsampling {
  private Upsampling() {}

  /** The FCN kernel size for an upsampling factor: 2f for even f, 2f-1 for odd f. */
  static int kernelSize(int factor) {
    return 2 * factor - factor % 2;
  }

  /**
   * Transposed convolution by {@code factor}, cropped to {@code size}.
   *
   * @param x NHWC input with a static channel count
   * @param size the [height, width] to crop to; at most {@code factor} times x's
   * @param trainable false keeps the kernel fixed (a {@link VariableRole#STATE} variable)
   */
  static Operand<TFloat32> transposed(
      GraphContext ctx,
      String name,
      Operand<TFloat32> x,
      long outChannels,
      int factor,
      Operand<TInt32> size,
      Initializer init,
      boolean trainable) {
    GraphContext layer = ctx.scope(name);
    Ops tf = layer.tf();
    long in = Layers.channels(x, layer.path());
    int k = kernelSize(factor);
    // Conv2DBackpropInput's filter is that of the forward conv it inverts: [k, k, out, in].
    ModelVariable kernel =
        layer.variable("kernel", Shape.of(k, k, outChannels, in), init, trainable ? VariableRole.WEIGHT : VariableRole.STATE);
    Operand<TInt32> shape = tf.shape(x);
    Operand<TInt32> full =
        tf.concat(
            List.of(
                tf.slice(shape, tf.constant(new int[] {0}), tf.constant(new int[] {1})),
                tf.math.mul(Layers.spatialSize(tf, x), tf.constant(factor)),
                tf.constant(new int[] {(int) outChannels})),
            tf.constant(0));
    Operand<TFloat32> up =
        tf.nn.conv2dBackpropInput(full, kernel.value(), x, List.of(1L, (long) factor, (long) factor, 1L), "SAME");
    return crop(tf, up, size, outChannels);
  }

  /** The top-left {@code size} = [h, w] of x, keeping the static channel count. */
  static Operand<TFloat32> crop(Ops tf, Operand<TFloat32> x, Operand<TInt32> size, long channels) {
    Operand<TInt32> sliceSize =
        tf.concat(List.of(tf.constant(new int[] {-1}), size, tf.constant(new int[] {(int) channels})), tf.constant(0));
    return tf.slice(x, tf.constant(new int[] {0, 0, 0, 0}), sliceSize);
  }

  /** Weight of kernel tap i of a bilinear upsampling kernel of size k (FCN's upsample_filt). */
  static float bilinearTap(int k, int i) {
    int factor = (k + 1) / 2;
    double centre = k % 2 == 1 ? factor - 1 : factor - 0.5;
    return (float) (1 - Math.abs(i - centre) / factor);
  }

  /**
   * A [k, k, out, in] transposed-conv kernel that upsamples each channel bilinearly. With as many
   * output as input channels it maps channel c to channel c only, so the layer starts as exact
   * bilinear interpolation (away from the borders, where it fades as if zero-padded); otherwise
   * channels are mixed by {@code mixing} (applied to a [1, 1, in, out] shape), i.e. bilinear
   * upsampling followed by a random 1x1 convolution.
   */
  static Initializer bilinear(Initializer mixing) {
    return (tf, shape, seed) -> {
      if (shape.numDimensions() != 4 || shape.get(0) != shape.get(1)) {
        throw new IllegalArgumentException("bilinear init needs a square [k, k, out, in] kernel, got " + shape);
      }
      int k = (int) shape.get(0);
      long out = shape.get(2);
      long in = shape.get(3);
      float[] taps = new float[k * k];
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++) {
          taps[i * k + j] = bilinearTap(k, i) * bilinearTap(k, j);
        }
      }
      Operand<TFloat32> spatial = tf.constant(Shape.of(k, k, 1, 1), DataBuffers.of(taps, true, false));
      Operand<TFloat32> channels;
      if (out == in) {
        Operand<TFloat32> eye =
            tf.oneHot(tf.range(tf.constant(0), tf.constant((int) out), tf.constant(1)), tf.constant((int) out), tf.constant(1f), tf.constant(0f));
        channels = tf.reshape(eye, tf.constant(new long[] {1, 1, out, out}));
      } else {
        channels = tf.linalg.transpose(mixing.create(tf, Shape.of(1, 1, in, out), seed), tf.constant(new int[] {0, 1, 3, 2}));
      }
      return tf.math.mul(spatial, channels);
    };
  }

  /**
   * An upsampling kernel initialiser from config: {@code bilinear}, or any name of {@link
   * Initializers#byName}; errors name the key.
   */
  static Initializer initializer(String key, String value) {
    if (value.trim().equals("bilinear")) {
      return bilinear(Initializers.heNormal());
    }
    return initializerByName(key, value, ", bilinear");
  }

  /** {@link Initializers#byName} with the config key in the error. */
  static Initializer initializerByName(String key, String value, String moreChoices) {
    try {
      return Initializers.byName(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage() + moreChoices, e);
    }
  }
}
