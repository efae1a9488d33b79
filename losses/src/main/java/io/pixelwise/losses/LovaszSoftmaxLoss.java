package io.pixelwise.losses;

import com.typesafe.config.Config;
import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.loss.Loss;
import io.pixelwise.api.loss.LossContext;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.TopK;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TUint8;

/**
 * Lovász-softmax (Berman et al., 2018): a convex surrogate of 1 - IoU per class, averaged over
 * classes, computed over all labelled pixels of the batch. For class c the pixel errors
 * {@code |g_c - p_c|} are sorted in decreasing order and weighted by the increments of the
 * Jaccard loss along that order; the loss optimises the IoU that the metrics report.
 *
 * <p>The sort is TopKV2 over a copy of the errors with no gradient (TopKV2 has none in the C API,
 * and the permutation needs none); the errors are then gathered in that order, so the gradient
 * flows through GatherV2. Unlabelled pixels enter with error 0 and no ground truth: they sort
 * last and add nothing.
 *
 * <p>With a sigmoid model the two classes' probabilities are {@code 1 - sigmoid(z)} and
 * {@code sigmoid(z)} (Lovász-softmax over two classes, not the Lovász hinge).
 */
public final class LovaszSoftmaxLoss implements Loss {
  static final String NAME = "lovasz-softmax";

  private final boolean presentOnly;
  private final LossContext context;

  LovaszSoftmaxLoss(boolean presentOnly, LossContext context) {
    this.presentOnly = presentOnly;
    this.context = context;
  }

  /** Options: {@code classes}. */
  static LovaszSoftmaxLoss create(Config options, LossContext context) {
    LossOptions o = new LossOptions(NAME, options);
    return new LovaszSoftmaxLoss(o.choice("classes", DiceLoss.CLASSES).equals("present"), context);
  }

  @Override
  public Operand<TFloat32> build(
      GraphContext ctx, Operand<TFloat32> logits, Operand<TUint8> labels, ClassInfo classes) {
    Ops tf = ctx.tf();
    Pixels px = Pixels.of(tf, NAME, logits, labels, classes, context.binary());
    int c = px.classes;
    Operand<TInt32> transpose = tf.constant(new int[] {1, 0});
    // One row per class: [C, P].
    Operand<TFloat32> truth = tf.linalg.transpose(px.oneHot, transpose);
    Operand<TFloat32> errors =
        tf.math.mul(
            tf.math.abs(tf.math.sub(truth, tf.linalg.transpose(px.probs, transpose))),
            tf.expandDims(px.valid, tf.constant(0)));
    Operand<TInt32> n = tf.size(px.valid, TInt32.class);
    Operand<TInt32> order = tf.nn.topK(tf.stopGradient(errors), n, TInt32.class, new TopK.Options[0]).indices();
    // Row r's permutation indexes the flattened [C * P] errors at r * P + i.
    int[][] rows = new int[c][1];
    for (int r = 0; r < c; r++) {
      rows[r][0] = r;
    }
    Operand<TInt32> flatOrder = tf.math.add(order, tf.math.mul(tf.constant(rows), n));
    Operand<TInt32> flat = tf.constant(new int[] {-1});
    Operand<TInt32> axis0 = tf.constant(0);
    Operand<TFloat32> sortedErrors = tf.gather(tf.reshape(errors, flat), flatOrder, axis0);
    Operand<TFloat32> sortedTruth = tf.gather(tf.reshape(truth, flat), flatOrder, axis0);

    // Jaccard loss after the first i pixels of the order: 1 - |truth minus those| / |truth plus
    // the false ones among them|; its increments are the weights. The union is never 0: at the
    // first position it is |truth| + 1 for a false pixel and |truth| >= 1 for a true one.
    Operand<TInt32> axis1 = tf.constant(1);
    Operand<TFloat32> total = tf.reduceSum(sortedTruth, axis1, org.tensorflow.op.core.ReduceSum.keepDims(true));
    Operand<TFloat32> intersection = tf.math.sub(total, tf.math.cumsum(sortedTruth, axis1));
    Operand<TFloat32> union =
        tf.math.add(total, tf.math.cumsum(tf.math.sub(tf.constant(1f), sortedTruth), axis1));
    Operand<TFloat32> jaccard = tf.math.sub(tf.constant(1f), tf.math.div(intersection, union));
    Operand<TFloat32> previous =
        tf.slice(
            tf.pad(jaccard, tf.constant(new int[][] {{0, 0}, {1, 0}}), tf.constant(0f)),
            tf.constant(new int[] {0, 0}),
            tf.shape(jaccard));
    Operand<TFloat32> increments = tf.stopGradient(tf.math.sub(jaccard, previous));

    Operand<TFloat32> perClass = tf.reduceSum(tf.math.mul(sortedErrors, increments), axis1);
    Operand<TFloat32> include =
        presentOnly
            ? tf.dtypes.cast(tf.math.greater(tf.reshape(total, flat), tf.constant(0f)), TFloat32.class)
            : tf.constant(ones(c));
    return px.mean(px.sum(tf.math.mul(include, perClass)), px.sum(include));
  }

  // A constant rather than OnesLike(perClass): OnesLike has no gradient in the C API.
  private static float[] ones(int n) {
    float[] v = new float[n];
    java.util.Arrays.fill(v, 1f);
    return v;
  }
}
