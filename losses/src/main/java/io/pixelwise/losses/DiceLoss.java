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
import org.tensorflow.types.TUint8;

/**
 * Soft multi-class Dice loss over the whole batch: per class c, {@code D_c = (2 sum(p_c g_c) + s)
 * / (sum(p_c) + sum(g_c) + s)} over labelled pixels, and the loss is {@code 1 - } the (weighted)
 * mean of D_c. It scores each class by overlap regardless of its size, so a person class of a few
 * hundred pixels counts as much as the road.
 *
 * <p>{@code classes = present} averages over the classes that label some pixel of the batch (an
 * absent class would contribute a near-constant term without signal); {@code all} averages over
 * every class. With a sigmoid model the two classes are background and foreground, with
 * probabilities {@code 1 - sigmoid(z)} and {@code sigmoid(z)}; foreground-only Dice is
 * {@code class-weights = [0, 1]}.
 */
public final class DiceLoss implements Loss {
  static final String NAME = "dice";
  static final Set<String> CLASSES = new LinkedHashSet<>(List.of("present", "all"));

  private final float smooth;
  private final ClassWeights weights;
  private final boolean presentOnly;
  private final LossContext context;

  DiceLoss(float smooth, ClassWeights weights, boolean presentOnly, LossContext context) {
    this.smooth = smooth;
    this.weights = weights;
    this.presentOnly = presentOnly;
    this.context = context;
  }

  /** Options: {@code smooth}, {@code class-weights}, {@code classes}. */
  static DiceLoss create(Config options, LossContext context) {
    LossOptions o = new LossOptions(NAME, options);
    return new DiceLoss(
        (float) o.number("smooth", 0, 1e6),
        ClassWeights.read(o, "class-weights", null, context),
        o.choice("classes", CLASSES).equals("present"),
        context);
  }

  @Override
  public Operand<TFloat32> build(
      GraphContext ctx, Operand<TFloat32> logits, Operand<TUint8> labels, ClassInfo classes) {
    Ops tf = ctx.tf();
    Pixels px = Pixels.of(tf, NAME, logits, labels, classes, context.binary());
    // Unlabelled pixels leave the sums: their probabilities are masked, their one-hot rows are 0.
    Operand<TFloat32> p = tf.math.mul(px.probs, tf.expandDims(px.valid, tf.constant(1)));
    Operand<TFloat32> intersection = px.perClass(tf.math.mul(p, px.oneHot));
    Operand<TFloat32> predicted = px.perClass(p);
    Operand<TFloat32> truth = px.perClass(px.oneHot);
    Operand<TFloat32> s = tf.constant(smooth);
    Operand<TFloat32> dice =
        tf.math.divNoNan(
            tf.math.add(tf.math.mul(tf.constant(2f), intersection), s),
            tf.math.add(tf.math.add(predicted, truth), s));
    Operand<TFloat32> w = tf.constant(weights.values(context));
    if (presentOnly) {
      w = tf.math.mul(w, tf.dtypes.cast(tf.math.greater(truth, tf.constant(0f)), TFloat32.class));
    }
    Operand<TFloat32> perClass = tf.math.sub(tf.constant(1f), dice);
    return px.mean(px.sum(tf.math.mul(w, perClass)), px.sum(w));
  }
}
