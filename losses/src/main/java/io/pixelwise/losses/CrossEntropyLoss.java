package io.pixelwise.losses;

import com.typesafe.config.Config;
import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.loss.Loss;
import io.pixelwise.api.loss.LossContext;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * Pixel-wise cross-entropy (softmax, or binary with a sigmoid model), averaged over labelled
 * pixels; ignore pixels and any id {@code >= classes} count neither in the sum nor in the count.
 *
 * <p>With class weights the mean is weighted: {@code sum(w_y * ce) / sum(w_y)}, so the weights
 * shift attention between classes without changing the loss's scale. Label smoothing replaces the
 * one-hot target by {@code (1 - e) * onehot + e / C}.
 *
 * <p>Built from {@code LogSoftmax} (or {@code Softplus} for sigmoid), {@code OneHot} and sums,
 * whose gradients the C API has; the sparse softmax op has none there.
 */
public final class CrossEntropyLoss implements Loss {
  static final String NAME = "cross-entropy";

  private final ClassWeights weights;
  private final float smoothing;
  private final LossContext context;

  CrossEntropyLoss(ClassWeights weights, float smoothing, LossContext context) {
    this.weights = weights;
    this.smoothing = smoothing;
    this.context = context;
  }

  /** Options: {@code class-weights}, {@code class-balance}, {@code label-smoothing}. */
  static CrossEntropyLoss create(Config options, LossContext context) {
    LossOptions o = new LossOptions(NAME, options);
    return new CrossEntropyLoss(
        ClassWeights.read(o, "class-weights", "class-balance", context),
        (float) o.number("label-smoothing", 0, 0.999),
        context);
  }

  @Override
  public Operand<TFloat32> build(
      GraphContext ctx, Operand<TFloat32> logits, Operand<TUint8> labels, ClassInfo classes) {
    Ops tf = ctx.tf();
    Pixels px = Pixels.of(tf, NAME, logits, labels, classes, context.binary());
    Operand<TFloat32> target = px.oneHot;
    if (smoothing > 0) {
      target =
          tf.math.add(tf.math.mul(px.oneHot, tf.constant(1 - smoothing)), tf.constant(smoothing / px.classes));
    }
    Operand<TFloat32> ce = tf.math.neg(px.perPixel(tf.math.mul(target, px.logProbs)));
    // The weight of an unlabelled pixel is 0 (its one-hot row is): that zeroes its loss and, by
    // the chain rule, its gradient, smoothing included.
    Operand<TFloat32> w = weights.uniform() ? px.valid : px.trueClassWeight(weights.values(context));
    return px.mean(px.sum(tf.math.mul(ce, w)), px.sum(w));
  }
}
