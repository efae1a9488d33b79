package io.pixelwise.losses;

import com.typesafe.config.Config;
import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.loss.Loss;
import io.pixelwise.api.loss.LossContext;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TUint8;

/**
 * Online hard example mining: cross-entropy averaged over the hardest labelled pixels only.
 * {@code mode = hardest} keeps the {@code keep-fraction} of labelled pixels with the highest loss;
 * {@code mode = threshold} keeps the pixels whose true-class probability is below
 * {@code threshold}. Either way at least {@code min-kept} pixels are kept (all, when fewer are
 * labelled), the hardest first.
 *
 * <p>Both modes are one cut on the per-pixel loss: keep the pixels whose loss is at least
 * {@code t}, where t is the k-th largest loss (hardest), or the smaller of {@code -log threshold}
 * and the {@code min-kept}-th largest loss (threshold). Pixels tied with the k-th are all kept. The
 * cut is found with TopKV2 on a copy of the losses without gradient; the kept pixels' losses keep
 * theirs.
 */
public final class OhemCrossEntropyLoss implements Loss {
  static final String NAME = "ohem";
  static final Set<String> MODES = new LinkedHashSet<>(List.of("hardest", "threshold"));

  private final boolean threshold;
  private final float keepFraction;
  private final float probability;
  private final int minKept;
  private final LossContext context;

  OhemCrossEntropyLoss(boolean threshold, float keepFraction, float probability, int minKept, LossContext context) {
    this.threshold = threshold;
    this.keepFraction = keepFraction;
    this.probability = probability;
    this.minKept = minKept;
    this.context = context;
  }

  /** Options: {@code mode}, {@code keep-fraction}, {@code threshold}, {@code min-kept}. */
  static OhemCrossEntropyLoss create(Config options, LossContext context) {
    LossOptions o = new LossOptions(NAME, options);
    boolean threshold = o.choice("mode", MODES).equals("threshold");
    float fraction = (float) o.number("keep-fraction", 0, 1);
    float probability = (float) o.number("threshold", 0, 1);
    if (!threshold && fraction == 0) {
      throw o.problem("keep-fraction", "expected a fraction above 0 with mode = hardest");
    }
    if (threshold && probability == 0) {
      throw o.problem("threshold", "expected a probability above 0 with mode = threshold");
    }
    return new OhemCrossEntropyLoss(threshold, fraction, probability, o.integer("min-kept", 1), context);
  }

  @Override
  public Operand<TFloat32> build(
      GraphContext ctx, Operand<TFloat32> logits, Operand<TUint8> labels, ClassInfo classes) {
    Ops tf = ctx.tf();
    Pixels px = Pixels.of(tf, NAME, logits, labels, classes, context.binary());
    Operand<TFloat32> ce = tf.math.neg(px.trueLogProb());
    Operand<TFloat32> labelled = px.sum(px.valid);
    // Unlabelled pixels rank below every labelled one (cross-entropy is >= 0).
    Operand<TFloat32> ranked =
        tf.math.sub(tf.math.mul(tf.stopGradient(ce), px.valid), tf.math.sub(tf.constant(1f), px.valid));
    Operand<TFloat32> k = tf.constant((float) minKept);
    if (!threshold) {
      k = tf.math.maximum(tf.math.ceil(tf.math.mul(labelled, tf.constant(keepFraction))), k);
    }
    // At most the labelled pixels, at least 1 (TopKV2 needs k >= 1; with nothing labelled the
    // mask below keeps nothing anyway).
    k = tf.math.maximum(tf.math.minimum(k, labelled), tf.constant(1f));
    Operand<TFloat32> kth =
        tf.reduceMin(
            tf.nn.topK(ranked, tf.dtypes.cast(k, TInt32.class), TInt32.class, new org.tensorflow.op.nn.TopK.Options[0])
                .values(),
            tf.constant(0));
    Operand<TFloat32> cut =
        threshold ? tf.math.minimum(kth, tf.constant((float) -Math.log(probability))) : kth;
    Operand<TFloat32> kept =
        tf.math.mul(px.valid, tf.dtypes.cast(tf.math.greaterEqual(ranked, cut), TFloat32.class));
    return px.mean(px.sum(tf.math.mul(ce, kept)), px.sum(kept));
  }
}
