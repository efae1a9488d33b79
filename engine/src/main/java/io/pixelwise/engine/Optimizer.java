package io.pixelwise.engine;

import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.Initializers;
import io.pixelwise.api.graph.ModelVariable;
import io.pixelwise.api.graph.VariableRole;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.ResourceApplyMomentum;
import org.tensorflow.types.TFloat32;

/**
 * Update rules built on TensorFlow's fused {@code ResourceApply*} kernels. (tensorflow-framework's
 * optimizers ignore resource variables, so they are not an option.) Slot variables are created as
 * {@link VariableRole#STATE} under {@code optimizer/<variable path>/...} and so land in checkpoints.
 */
public abstract class Optimizer {

  /**
   * Adds one update of every variable.
   *
   * @param slots context scoped to {@code optimizer}
   * @param lr learning-rate scalar
   * @param t the 1-based number of this update, as float (Adam's bias correction needs it)
   */
  public abstract Op apply(
      GraphContext slots,
      List<ModelVariable> variables,
      List<Operand<TFloat32>> gradients,
      Operand<TFloat32> lr,
      Operand<TFloat32> t);

  /** A learning-rate factor for the variables whose path matches a glob ({@code *} within a path segment, {@code **} across). */
  public record LrMultiplier(String variables, double factor) {
    public LrMultiplier {
      if (!(factor >= 0)) {
        throw new IllegalArgumentException(
            "optimizer.lr-multipliers: multiplier for '" + variables + "' must be >= 0, got " + factor);
      }
    }

    boolean matches(String path) {
      StringBuilder regex = new StringBuilder();
      for (int i = 0; i < variables.length(); i++) {
        char ch = variables.charAt(i);
        if (ch == '*' && i + 1 < variables.length() && variables.charAt(i + 1) == '*') {
          regex.append(".*");
          i++;
        } else if (ch == '*') {
          regex.append("[^/]*");
        } else if (ch == '?') {
          regex.append("[^/]");
        } else {
          regex.append(java.util.regex.Pattern.quote(String.valueOf(ch)));
        }
      }
      return path.matches(regex.toString());
    }
  }

  private List<LrMultiplier> multipliers = List.of();

  /** This optimizer with per-variable learning-rate factors; the first matching pattern wins. */
  public Optimizer withMultipliers(List<LrMultiplier> factors) {
    this.multipliers = List.copyOf(factors);
    return this;
  }

  /** The learning rate of one variable: {@code lr} times its multiplier, if a pattern matches. */
  protected Operand<TFloat32> lrFor(Ops tf, Operand<TFloat32> lr, ModelVariable v) {
    for (LrMultiplier m : multipliers) {
      if (m.matches(v.path())) {
        return m.factor() == 1 ? lr : tf.math.mul(lr, tf.constant((float) m.factor()));
      }
    }
    return lr;
  }

  static GraphContext slotScope(GraphContext slots, ModelVariable v) {
    GraphContext ctx = slots;
    for (String part : v.path().split("/")) {
      ctx = ctx.scope(part);
    }
    return ctx;
  }

  static ModelVariable zerosSlot(GraphContext ctx, String name, ModelVariable v) {
    return ctx.variable(name, v.shape(), Initializers.zeros(), VariableRole.STATE);
  }

  /** Kingma and Ba (2015), as in tf.keras: bias-corrected learning rate, epsilon outside the root. */
  public static final class Adam extends Optimizer {
    private final float beta1;
    private final float beta2;
    private final float epsilon;

    public Adam(float beta1, float beta2, float epsilon) {
      this.beta1 = beta1;
      this.beta2 = beta2;
      this.epsilon = epsilon;
    }

    @Override
    public Op apply(
        GraphContext slots,
        List<ModelVariable> variables,
        List<Operand<TFloat32>> gradients,
        Operand<TFloat32> lr,
        Operand<TFloat32> t) {
      Ops tf = slots.tf();
      Operand<TFloat32> b1 = tf.constant(beta1);
      Operand<TFloat32> b2 = tf.constant(beta2);
      Operand<TFloat32> b1Power = tf.math.pow(b1, t);
      Operand<TFloat32> b2Power = tf.math.pow(b2, t);
      Operand<TFloat32> eps = tf.constant(epsilon);
      List<Op> updates = new ArrayList<>();
      for (int i = 0; i < variables.size(); i++) {
        ModelVariable v = variables.get(i);
        GraphContext s = slotScope(slots, v);
        ModelVariable m = zerosSlot(s, "m", v);
        ModelVariable vv = zerosSlot(s, "v", v);
        updates.add(
            s.tf().train.resourceApplyAdam(
                v.handle(), m.handle(), vv.handle(), b1Power, b2Power, lrFor(s.tf(), lr, v), b1, b2, eps, gradients.get(i)));
      }
      return tf.withControlDependencies(updates).noOp();
    }
  }

  /** SGD with (optionally Nesterov) momentum. */
  public static final class Momentum extends Optimizer {
    private final float momentum;
    private final boolean nesterov;

    public Momentum(float momentum, boolean nesterov) {
      this.momentum = momentum;
      this.nesterov = nesterov;
    }

    @Override
    public Op apply(
        GraphContext slots,
        List<ModelVariable> variables,
        List<Operand<TFloat32>> gradients,
        Operand<TFloat32> lr,
        Operand<TFloat32> t) {
      Ops tf = slots.tf();
      Operand<TFloat32> mom = tf.constant(momentum);
      List<Op> updates = new ArrayList<>();
      for (int i = 0; i < variables.size(); i++) {
        ModelVariable v = variables.get(i);
        GraphContext s = slotScope(slots, v);
        ModelVariable accum = zerosSlot(s, "momentum", v);
        updates.add(
            s.tf().train.resourceApplyMomentum(
                v.handle(), accum.handle(), lrFor(s.tf(), lr, v), gradients.get(i), mom, ResourceApplyMomentum.useNesterov(nesterov)));
      }
      return tf.withControlDependencies(updates).noOp();
    }
  }
}
