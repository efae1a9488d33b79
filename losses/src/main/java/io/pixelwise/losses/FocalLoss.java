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
 * Focal loss (Lin et al., 2017): {@code -alpha_y * (1 - p_y)^gamma * log p_y} per labelled pixel,
 * averaged over labelled pixels. The factor {@code (1 - p_y)^gamma} fades out pixels the model
 * already gets right, so the many easy road and sky pixels stop drowning the rare hard ones;
 * gamma = 0 and no alpha is plain cross-entropy.
 *
 * <p>{@code alpha} is one weight per class (with a sigmoid model: [background, foreground], so the
 * paper's alpha = 0.25 is {@code [0.75, 0.25]}); unlike cross-entropy's class weights it does not
 * renormalise the mean.
 */
public final class FocalLoss implements Loss {
  static final String NAME = "focal";

  private final float gamma;
  private final ClassWeights alpha;
  private final LossContext context;

  FocalLoss(float gamma, ClassWeights alpha, LossContext context) {
    this.gamma = gamma;
    this.alpha = alpha;
    this.context = context;
  }

  /** Options: {@code gamma}, {@code alpha}. */
  static FocalLoss create(Config options, LossContext context) {
    LossOptions o = new LossOptions(NAME, options);
    return new FocalLoss((float) o.number("gamma", 0, 10), ClassWeights.read(o, "alpha", null, context), context);
  }

  @Override
  public Operand<TFloat32> build(
      GraphContext ctx, Operand<TFloat32> logits, Operand<TUint8> labels, ClassInfo classes) {
    Ops tf = ctx.tf();
    Pixels px = Pixels.of(tf, NAME, logits, labels, classes, context.binary());
    Operand<TFloat32> logPt = px.trueLogProb();
    Operand<TFloat32> pt = tf.math.exp(logPt);
    // The floor keeps the power's gradient finite (gamma < 1) when p_y rounds to 1 in float32;
    // such a pixel's loss is below 1e-7 anyway.
    Operand<TFloat32> modulator =
        tf.math.pow(tf.math.maximum(tf.math.sub(tf.constant(1f), pt), tf.constant(1e-7f)), tf.constant(gamma));
    Operand<TFloat32> w = alpha.uniform() ? px.valid : px.trueClassWeight(alpha.values(context));
    Operand<TFloat32> perPixel = tf.math.neg(tf.math.mul(tf.math.mul(w, modulator), logPt));
    return px.mean(px.sum(perPixel), px.sum(px.valid));
  }
}
