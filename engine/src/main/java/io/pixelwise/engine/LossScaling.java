package io.pixelwise.engine;

import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.Initializers;
import io.pixelwise.api.graph.ModelVariable;
import io.pixelwise.api.graph.VariableRole;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * The graph side of {@link LossScale}: the scale and its counter of finite steps, the scaled loss,
 * the unscaled gradients, and a training step that changes nothing but the scale when a gradient
 * is not finite.
 *
 * <p>Skipping uses TensorFlow's dataflow control flow rather than a zero gradient or a zero
 * learning rate (either would still decay Adam's moments and the momentum): every gradient, and
 * every value a state update assigns, passes through a {@code Switch} on "all gradients finite".
 * When that is false the Switch's true output is dead, and so is every op that consumes it: the
 * optimizer's {@code ResourceApply*} kernels and the assignments do not run, and weights,
 * optimizer slots and moving statistics keep their values exactly. A {@code Merge} of the two
 * branches gives the step an output that exists either way.
 */
final class LossScaling {
  private final LossScale config;
  private final ModelVariable scale;
  private final ModelVariable goodSteps;

  /** Creates the two STATE variables under {@code loss_scale/} of {@code root}. */
  LossScaling(GraphContext root, LossScale config) {
    this.config = config;
    GraphContext ctx = root.scope(LossScale.SCOPE);
    scale = ctx.variable("scale", Shape.scalar(), Initializers.constant(config.initial()), VariableRole.STATE);
    goodSteps = ctx.variable("good_steps", Shape.scalar(), Initializers.zeros(), VariableRole.STATE);
  }

  LossScale config() {
    return config;
  }

  /** The variables this adds: restored apart, as a checkpoint of a run at another precision lacks them. */
  List<ModelVariable> variables() {
    return List.of(scale, goodSteps);
  }

  /** The scale the step uses (read once per step: every use below sees the same value). */
  Operand<TFloat32> scale() {
    return scale.value();
  }

  /** {@code loss * S}, the objective to differentiate. */
  Operand<TFloat32> scaled(Ops tf, Operand<TFloat32> loss) {
    return tf.withSubScope(LossScale.SCOPE).withName("scaled_loss").math.mul(loss, scale.value());
  }

  /** Each gradient divided by S (dividing, not multiplying by 1/S: exact for any power of two). */
  List<Operand<TFloat32>> unscale(Ops tf, List<Operand<TFloat32>> gradients) {
    Ops ls = tf.withSubScope(LossScale.SCOPE).withSubScope("unscale");
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (Operand<TFloat32> g : gradients) {
      out.add(ls.math.div(g, scale.value()));
    }
    return out;
  }

  /** True when every element of every gradient is finite. */
  static Operand<TBool> allFinite(Ops tf, List<Operand<TFloat32>> gradients) {
    Ops ls = tf.withSubScope(LossScale.SCOPE).withSubScope("finite");
    List<Operand<TBool>> each = new ArrayList<>();
    for (Operand<TFloat32> g : gradients) {
      Operand<TFloat32> flat = ls.reshape(g, ls.constant(new long[] {-1}));
      each.add(ls.all(ls.math.isFinite(flat), ls.constant(0)));
    }
    return tf.withSubScope(LossScale.SCOPE).withName("all_finite").all(ls.stack(each), ls.constant(0));
  }

  /** {@code x} where {@code finite} is true; dead (nothing consuming it runs) where it is false. */
  static <T extends TType> Operand<T> whenFinite(Ops tf, Operand<T> x, Operand<TBool> finite) {
    return tf.withSubScope(LossScale.SCOPE).switchCond(x, finite).outputTrue();
  }

  /** The end of a training step: the op to run, and whether the update was applied. */
  record Step(Op op, Operand<TBool> applied) {}

  /**
   * Ends the step after {@code gated}, the ops that run only when {@code finite} (the optimizer's
   * update and the state updates, built on {@link #whenFinite} values): S and the counter move on.
   */
  Step finish(Ops tf, Operand<TBool> finite, List<Op> gated) {
    Ops ls = tf.withSubScope(LossScale.SCOPE);
    SwitchCond branch = ls.withName("branch").switchCond(finite, finite);
    // Live in exactly one case each: after the update when it ran, the false side when it did not.
    Operand<TBool> ran = ls.withControlDependencies(gated).withName("ran").identity(branch.outputTrue());
    Operand<TBool> applied = ls.withName("applied").merge(List.of(ran, branch.outputFalse())).output();

    Operand<TFloat32> s = scale.value();
    Operand<TFloat32> zero = ls.constant(0f);
    Operand<TFloat32> one = ls.constant(1f);
    Operand<TFloat32> two = ls.constant(2f);
    Operand<TFloat32> count = ls.select(applied, ls.math.add(goodSteps.value(), one), zero);
    Operand<TBool> grow = ls.math.greaterEqual(count, ls.constant((float) config.growthSteps()));
    Operand<TFloat32> doubled = ls.math.mul(s, two);
    // Doubling stops where S would leave float32's finite range (a step at S = inf could never recover).
    Operand<TFloat32> grown = ls.select(ls.math.logicalAnd(grow, ls.math.isFinite(doubled)), doubled, s);
    Operand<TFloat32> halved = ls.math.maximum(ls.math.div(s, two), one);
    Op setScale = ls.withName("update_scale").assignVariableOp(scale.handle(), ls.select(applied, grown, halved));
    Op setCount = ls.withName("update_good_steps").assignVariableOp(goodSteps.handle(), ls.select(grow, zero, count));
    return new Step(ls.withControlDependencies(List.of(setScale, setCount)).withName("step").noOp(), applied);
  }
}
