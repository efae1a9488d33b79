package io.pixelwise.losses;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.loss.Loss;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * Pixel-wise softmax cross-entropy, averaged over the pixels whose label is a class (ignore pixels
 * and any id {@code >= classes} are left out of both the sum and the count).
 *
 * <p>Built from {@code OneHot} + {@code SoftmaxCrossEntropyWithLogits}, whose gradient the C API
 * has, rather than the sparse op, whose gradient it lacks. An out-of-range id one-hot encodes to
 * an all-zero row; the per-pixel mask then zeroes that pixel's loss and, by the chain rule, its
 * gradient (the dense op's own gradient for a zero row would otherwise be the softmax).
 */
public final class CrossEntropyLoss implements Loss {

  @Override
  public Operand<TFloat32> build(
      GraphContext ctx, Operand<TFloat32> logits, Operand<TUint8> labels, ClassInfo classes) {
    Ops tf = ctx.tf();
    int c = classes.size();
    Operand<TFloat32> flatLogits = tf.reshape(logits, tf.constant(new int[] {-1, c}));
    Operand<TUint8> flatLabels = tf.reshape(labels, tf.constant(new int[] {-1}));
    Operand<TFloat32> oneHot =
        tf.oneHot(flatLabels, tf.constant(c), tf.constant(1f), tf.constant(0f));
    Operand<TFloat32> perPixel = tf.nn.softmaxCrossEntropyWithLogits(flatLogits, oneHot).loss();
    Operand<TFloat32> valid =
        tf.dtypes.cast(tf.math.less(flatLabels, tf.constant((byte) c)), TFloat32.class);
    Operand<TFloat32> total = tf.reduceSum(tf.math.mul(perPixel, valid), tf.constant(0));
    Operand<TFloat32> count = tf.math.maximum(tf.reduceSum(valid, tf.constant(0)), tf.constant(1f));
    return tf.math.div(total, count);
  }
}
