package io.pixelwise.api.graph;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Building blocks shared by backbones and heads. All tensors are NHWC float32. */
public final class Layers {
  private Layers() {}

  /** Convolution with bias, 'SAME' padding, He-normal kernel, optional ReLU. */
  public static Operand<TFloat32> conv2d(
      GraphContext ctx, String name, Operand<TFloat32> x, int filters, int kernel, int stride, boolean relu) {
    return conv2d(ctx, name, x, filters, kernel, stride, relu, Initializers.heNormal());
  }

  /** Convolution with bias and 'SAME' padding, with the given kernel initialiser. */
  public static Operand<TFloat32> conv2d(
      GraphContext ctx,
      String name,
      Operand<TFloat32> x,
      int filters,
      int kernel,
      int stride,
      boolean relu,
      Initializer kernelInit) {
    return conv2d(ctx, name, x, filters, kernel, stride, relu, kernelInit, null);
  }

  /**
   * Convolution with 'SAME' padding, then either a bias or, when {@code norm} is given, batch
   * normalisation (whose beta makes a bias redundant; its variables under {@code name/bn}), then
   * an optional ReLU (since api 1.2).
   *
   * @param norm null for a bias
   */
  public static Operand<TFloat32> conv2d(
      GraphContext ctx,
      String name,
      Operand<TFloat32> x,
      int filters,
      int kernel,
      int stride,
      boolean relu,
      Initializer kernelInit,
      BatchNorm norm) {
    GraphContext layer = ctx.scope(name);
    Ops tf = layer.tf();
    long in = channels(x, ctx.path() + "/" + name);
    ModelVariable w =
        layer.variable("kernel", Shape.of(kernel, kernel, in, filters), kernelInit, VariableRole.WEIGHT);
    List<Long> strides = List.of(1L, (long) stride, (long) stride, 1L);
    Operand<TFloat32> y;
    if (norm == null) {
      ModelVariable b =
          layer.variable("bias", Shape.of(filters), Initializers.zeros(), VariableRole.BIAS);
      y = tf.nn.biasAdd(tf.nn.conv2d(x, w.value(), strides, "SAME"), b.value());
    } else {
      y = norm.apply(layer.scope("bn"), tf.nn.conv2d(x, w.value(), strides, "SAME"));
    }
    return relu ? tf.nn.relu(y) : y;
  }

  /**
   * Max pooling with a square window; 'SAME' padding so that odd sizes round up.
   *
   * <p>Built as TensorFlow's {@code MaxPool} op, window and strides as attributes, not the
   * {@code MaxPoolV2} that {@code tf.nn.maxPool} makes (window and strides as tensors): oneDNN's
   * graph rewrite takes only the former, so {@code MaxPoolV2} and its gradient ran on Eigen's
   * kernels, a tenth of the simple model's training step.
   */
  public static Operand<TFloat32> maxPool(GraphContext ctx, Operand<TFloat32> x, int size, int stride) {
    Scope scope = ctx.tf().scope();
    return scope.opBuilder("MaxPool", "MaxPool")
        .addInput(x.asOutput())
        .setAttr("ksize", new long[] {1, size, size, 1})
        .setAttr("strides", new long[] {1, stride, stride, 1})
        .setAttr("padding", "SAME")
        .build()
        .output(0);
  }

  /** Bilinear resize to {@code size} = [height, width], with half-pixel centres as in current TF. */
  public static Operand<TFloat32> resizeBilinear(GraphContext ctx, Operand<TFloat32> x, Operand<TInt32> size) {
    return ctx.tf().image.resizeBilinear(x, size, ResizeBilinear.halfPixelCenters(true));
  }

  /** The dynamic spatial size [height, width] of an NHWC tensor. */
  public static Operand<TInt32> spatialSize(Ops tf, Operand<TFloat32> x) {
    return tf.slice(tf.shape(x), tf.constant(new int[] {1}), tf.constant(new int[] {2}));
  }

  /** The static channel count of an NHWC tensor; layers need it to shape their kernels. */
  public static long channels(Operand<?> x, String where) {
    Shape s = x.shape();
    if (s.numDimensions() != 4 || s.get(3) < 0) {
      throw new IllegalArgumentException(
          where + ": expected an NHWC tensor with a known channel count, got shape " + s);
    }
    return s.get(3);
  }
}
