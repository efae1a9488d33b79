package io.pixelwise.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.Initializers;
import io.pixelwise.api.graph.ModelVariable;
import io.pixelwise.api.graph.VariableRole;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The raw ResourceApply* updates against hand-computed steps on f(w) = (w - 3)^2. */
class OptimizerTest {

  private static float[] run(Optimizer optimizer, float lr, int steps) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      GraphContext ctx = GraphContext.root(tf, tf.constant(false), 1);
      ModelVariable w = ctx.variable("w", Shape.of(1), Initializers.constant(1f), VariableRole.WEIGHT);
      Operand<TFloat32> loss = tf.reduceSum(tf.math.square(tf.math.sub(w.value(), tf.constant(3f))), tf.constant(0));
      @SuppressWarnings("unchecked")
      Operand<TFloat32> grad = (Operand<TFloat32>) g.addGradients(loss.asOutput(), new org.tensorflow.Output<?>[] {w.value().asOutput()})[0];
      var lrIn = tf.placeholder(TFloat32.class);
      var t = tf.placeholder(TFloat32.class);
      Op update = optimizer.apply(ctx.scope("optimizer"), List.of(w), List.of(grad), lrIn, t);
      float[] trace = new float[steps];
      try (Session s = new Session(g)) {
        s.initialize();
        for (int i = 0; i < steps; i++) {
          try (TFloat32 l = TFloat32.scalarOf(lr);
              TFloat32 n = TFloat32.scalarOf(i + 1)) {
            s.runner().feed(lrIn, l).feed(t, n).addTarget(update).run();
          }
          try (var r = s.runner().fetch(w.value()).run()) {
            trace[i] = ((TFloat32) r.get(0)).getFloat(0);
          }
        }
      }
      return trace;
    }
  }

  @Test
  void adamFirstStepMovesByTheLearningRate() {
    // m_hat / sqrt(v_hat) = g / |g| on the first step, so w moves by lr towards the minimum.
    float[] w = run(new Optimizer.Adam(0.9f, 0.999f, 1e-8f), 0.1f, 1);
    assertEquals(1.1f, w[0], 1e-5f);
  }

  @Test
  void adamConverges() {
    float[] w = run(new Optimizer.Adam(0.9f, 0.999f, 1e-8f), 0.1f, 300);
    assertEquals(3f, w[299], 0.05f);
  }

  @Test
  void momentumMatchesTheRecurrence() {
    // accum = m * accum + g; w -= lr * accum, with g = 2 (w - 3)
    float[] w = run(new Optimizer.Momentum(0.9f, false), 0.05f, 3);
    double wv = 1;
    double accum = 0;
    for (int i = 0; i < 3; i++) {
      accum = 0.9 * accum + 2 * (wv - 3);
      wv -= 0.05 * accum;
      assertEquals(wv, w[i], 1e-5);
    }
  }

  @Test
  void learningRateMultipliersScaleTheMatchingVariables() {
    // Plain SGD step from w = 1 on (w - 3)^2: gradient -4, so w = 1 + 4 * lr * multiplier.
    Optimizer half = new Optimizer.Momentum(0f, false).withMultipliers(
        List.of(new Optimizer.LrMultiplier("other/**", 3), new Optimizer.LrMultiplier("w", 0.5)));
    assertEquals(1.2f, run(half, 0.1f, 1)[0], 1e-6f);
    Optimizer unmatched = new Optimizer.Momentum(0f, false).withMultipliers(List.of(new Optimizer.LrMultiplier("x*", 0.5)));
    assertEquals(1.4f, run(unmatched, 0.1f, 1)[0], 1e-6f);
    Optimizer frozen = new Optimizer.Adam(0.9f, 0.999f, 1e-8f).withMultipliers(List.of(new Optimizer.LrMultiplier("*", 0)));
    assertEquals(1f, run(frozen, 0.1f, 3)[2], 0f);
  }

  @Test
  void globsMatchWithinAndAcrossSegments() {
    var oneLevel = new Optimizer.LrMultiplier("backbone/*/kernel", 1);
    org.junit.jupiter.api.Assertions.assertTrue(oneLevel.matches("backbone/stem/kernel"));
    org.junit.jupiter.api.Assertions.assertFalse(oneLevel.matches("backbone/block1/conv1/kernel"));
    org.junit.jupiter.api.Assertions.assertTrue(new Optimizer.LrMultiplier("backbone/**", 1).matches("backbone/block1/conv1/kernel"));
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new Optimizer.LrMultiplier("head/**", -1));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("optimizer.lr-multipliers"));
  }
}
