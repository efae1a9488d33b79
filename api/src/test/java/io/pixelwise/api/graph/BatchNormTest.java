package io.pixelwise.api.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.testing.GradientCheck;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** Batch normalisation against values computed here by hand, and the state-update hook it uses. */
class BatchNormTest {
  // Batch 2, 1x2 pixels, 2 channels: channel 0 holds 1, 2, 3, 6; channel 1 holds -1, -1, 3, 3.
  private static final Shape SHAPE = Shape.of(2, 1, 2, 2);
  private static final float[] X = {1, -1, 2, -1, 3, 3, 6, 3};
  private static final float[] GAMMA = {2, 0.5f};
  private static final float[] BETA = {1, -1};
  private static final BatchNorm NORM = new BatchNorm(0.9f, 1e-3f);

  /** Per channel, over the 4 positions: the mean and the biased variance. */
  private static double[][] moments(float[] x) {
    double[] mean = new double[2];
    double[] var = new double[2];
    for (int i = 0; i < x.length; i++) {
      mean[i % 2] += x[i] / 4.0;
    }
    for (int i = 0; i < x.length; i++) {
      var[i % 2] += (x[i] - mean[i % 2]) * (x[i] - mean[i % 2]) / 4.0;
    }
    return new double[][] {mean, var};
  }

  private static float[] normalise(float[] x, double[] mean, double[] var, float epsilon) {
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      int c = i % 2;
      y[i] = (float) (GAMMA[c] * (x[i] - mean[c]) / Math.sqrt(var[c] + epsilon) + BETA[c]);
    }
    return y;
  }

  /** A graph with one batch-norm layer whose gamma and beta are set to GAMMA and BETA. */
  private static final class Layer implements AutoCloseable {
    final Graph graph = new Graph();
    final Ops tf = Ops.create(graph);
    final Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 2)));
    final Operand<TBool> training = tf.placeholderWithDefault(tf.constant(false), Shape.scalar());
    final GraphContext root = GraphContext.root(tf, training, 1);
    final Operand<TFloat32> y = NORM.apply(root.scope("bn"), x);
    final Op update = tf.withControlDependencies(root.stateUpdates()).noOp();
    final Session session = new Session(graph);

    Layer() {
      session.initialize();
      for (ModelVariable v : root.variables()) {
        float[] value = v.path().endsWith("gamma") ? GAMMA : v.path().endsWith("beta") ? BETA : null;
        if (value != null) {
          session.runner().addTarget(tf.assignVariableOp(v.handle(), tf.constant(value))).run();
        }
      }
    }

    /** Runs the layer on X; with {@code step}, also the state updates of a training step. */
    float[] run(boolean train, boolean step) {
      try (TFloat32 in = TFloat32.tensorOf(SHAPE, DataBuffers.of(X, true, false));
          TBool flag = TBool.scalarOf(train)) {
        Session.Runner r = session.runner().feed(x, in).feed(training, flag).fetch(y);
        if (step) {
          r.addTarget(update);
        }
        try (Result out = r.run()) {
          return values((TFloat32) out.get(0));
        }
      }
    }

    float[] variable(String name) {
      ModelVariable v = root.variables().stream().filter(u -> u.path().equals("bn/" + name)).findFirst().orElseThrow();
      try (Result out = session.runner().fetch(v.value()).run()) {
        return values((TFloat32) out.get(0));
      }
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  private static float[] values(TFloat32 t) {
    float[] a = new float[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(a, false, false));
    return a;
  }

  private static float[] floats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  @Test
  void trainingUsesTheBatchStatisticsAndInferenceTheMovingOnes() {
    double[][] batch = moments(X); // mean 3, 1; biased variance 3.5, 4
    assertArrayEquals(new double[] {3, 1}, batch[0], 1e-12);
    assertArrayEquals(new double[] {3.5, 4}, batch[1], 1e-12);
    try (Layer layer = new Layer()) {
      assertEquals(
          List.of("bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"),
          layer.root.variables().stream().map(ModelVariable::path).toList());
      assertEquals(
          List.of(VariableRole.BIAS, VariableRole.BIAS, VariableRole.STATE, VariableRole.STATE),
          layer.root.variables().stream().map(ModelVariable::role).toList());
      assertArrayEquals(normalise(X, batch[0], batch[1], 1e-3f), layer.run(true, false), 1e-5f);
      // Fresh moving statistics: mean 0, variance 1.
      assertArrayEquals(normalise(X, new double[] {0, 0}, new double[] {1, 1}, 1e-3f), layer.run(false, false), 1e-5f);
    }
  }

  @Test
  void aTrainingStepMovesTheStatisticsByTheMomentumFormulaAndInferenceUsesThem() {
    double[][] batch = moments(X);
    double[] mean = {0, 0};
    double[] var = {1, 1};
    try (Layer layer = new Layer()) {
      for (int step = 1; step <= 2; step++) {
        float[] y = layer.run(true, true);
        assertArrayEquals(normalise(X, batch[0], batch[1], 1e-3f), y, 1e-5f, "a step normalises with the batch's statistics");
        for (int c = 0; c < 2; c++) {
          mean[c] = 0.9 * mean[c] + 0.1 * batch[0][c];
          var[c] = 0.9 * var[c] + 0.1 * batch[1][c];
        }
        assertArrayEquals(floats(mean), layer.variable("moving_mean"), 1e-6f, "step " + step);
        assertArrayEquals(floats(var), layer.variable("moving_variance"), 1e-6f, "step " + step);
      }
      // Mean 0.57, 0.19 and variance 1.475, 1.57 after two steps.
      assertArrayEquals(normalise(X, mean, var, 1e-3f), layer.run(false, false), 1e-5f);
      // Running the layer, in either mode, without the updates changes nothing.
      layer.run(true, false);
      layer.run(false, false);
      assertArrayEquals(floats(mean), layer.variable("moving_mean"), 1e-6f);
      assertArrayEquals(floats(var), layer.variable("moving_variance"), 1e-6f);
    }
  }

  @Test
  void aFrozenGraphHasConstantStatisticsAndNoBatchPath() {
    Map<String, float[]> trained = new HashMap<>();
    trained.put("bn/gamma", GAMMA);
    trained.put("bn/beta", BETA);
    trained.put("bn/moving_mean", new float[] {0.5f, -0.25f});
    trained.put("bn/moving_variance", new float[] {2f, 0.5f});
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      GraphContext root = GraphContext.frozen(tf, trained);
      Operand<TFloat32> y = NORM.apply(root.scope("bn"), tf.constant(SHAPE, DataBuffers.of(X, true, false)));
      assertTrue(root.stateUpdates().isEmpty());
      List<String> types = new ArrayList<>();
      g.operations().forEachRemaining(op -> types.add(op.type()));
      assertEquals(1, types.stream().filter(t -> t.equals("FusedBatchNormV3")).count(), types.toString());
      assertTrue(!types.contains("VarHandleOp") && !types.contains("SelectV2"), types.toString());
      try (Session s = new Session(g);
          Result r = s.runner().fetch(y).run()) {
        float[] expected = normalise(X, new double[] {0.5, -0.25}, new double[] {2, 0.5}, 1e-3f);
        assertArrayEquals(expected, values((TFloat32) r.get(0)), 1e-5f);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void gradientsMatchFiniteDifferences(boolean training) {
    // Through the batch statistics while training: every output depends on every input of its channel.
    SplittableRandom random = new SplittableRandom(3);
    Shape shape = Shape.of(2, 3, 2, 3);
    float[] x = new float[(int) shape.size()];
    float[] weights = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-2, 2);
      weights[i] = (float) random.nextDouble(-1, 1);
    }
    GradientCheck.Result r =
        GradientCheck.check(shape, x, (tf, in) -> {
          GraphContext root = GraphContext.root(tf, tf.constant(training), 1);
          Operand<TFloat32> y = NORM.apply(root.scope("bn"), in);
          return tf.reduceSum(tf.math.mul(y, tf.constant(shape, DataBuffers.of(weights, true, false))), tf.constant(new int[] {0, 1, 2, 3}));
        }, 1e-2f);
    assertTrue(r.maxAbsError() < 2e-3, "max abs error " + r.maxAbsError());
    if (training) {
      // Not the inference gradient (gamma 1 over the fresh moving variance 1): the batch path was taken.
      float[] inferenceGradient = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        inferenceGradient[i] = (float) (weights[i] / Math.sqrt(1 + 1e-3));
      }
      double differs = 0;
      for (int i = 0; i < x.length; i++) {
        differs = Math.max(differs, Math.abs(r.analytic()[i] - inferenceGradient[i]));
      }
      assertTrue(differs > 0.1, "the training gradient ignores the batch statistics");
    }
  }

  @Test
  void onlyStateVariablesOfThisGraphGetOneUpdate() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      GraphContext root = GraphContext.root(tf, tf.constant(true), 1);
      ModelVariable state = root.variable("count", Shape.scalar(), Initializers.zeros(), VariableRole.STATE);
      ModelVariable weight = root.variable("w", Shape.scalar(), Initializers.zeros(), VariableRole.WEIGHT);
      Operand<TFloat32> next = tf.math.add(state.value(), tf.constant(1f));
      IllegalArgumentException trained =
          assertThrows(IllegalArgumentException.class, () -> root.updateEachStep(weight, next));
      assertTrue(trained.getMessage().contains("'w' is WEIGHT; only STATE variables"), trained.getMessage());
      root.scope("child").updateEachStep(state, next);
      IllegalArgumentException twice =
          assertThrows(IllegalArgumentException.class, () -> root.updateEachStep(state, next));
      assertTrue(twice.getMessage().contains("'count' already has an update"), twice.getMessage());
      assertEquals(1, root.stateUpdates().size());
      try (Graph other = new Graph()) {
        GraphContext elsewhere = GraphContext.root(Ops.create(other), Ops.create(other).constant(true), 1);
        ModelVariable foreign = elsewhere.variable("count", Shape.scalar(), Initializers.zeros(), VariableRole.STATE);
        IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> root.updateEachStep(foreign, next));
        assertTrue(e.getMessage().contains("not created in this graph"), e.getMessage());
      }
      try (Session s = new Session(g)) {
        s.initialize();
        for (int i = 0; i < 3; i++) {
          s.runner().addTarget(root.stateUpdates().get(0)).run();
        }
        try (Result r = s.runner().fetch(state.value()).run()) {
          assertEquals(3f, ((TFloat32) r.get(0)).getFloat());
        }
      }
    }
  }

  @Test
  void optionsAreCheckedNamingTheKey() {
    String section = "backbones.simple-conv";
    var defaults = ConfigFactory.parseString("batch-norm = false, batch-norm-momentum = 0.99, batch-norm-epsilon = 0.001");
    assertTrue(BatchNorm.fromOptions(defaults, section).isEmpty());
    assertEquals(
        new BatchNorm(0.9f, 1e-5f * 2),
        BatchNorm.fromOptions(
            ConfigFactory.parseString("batch-norm = true, batch-norm-momentum = 0.9, batch-norm-epsilon = 2e-5").withFallback(defaults),
            section).orElseThrow());
    IllegalArgumentException momentum =
        assertThrows(IllegalArgumentException.class,
            () -> BatchNorm.fromOptions(ConfigFactory.parseString("batch-norm-momentum = 1").withFallback(defaults), section));
    assertTrue(momentum.getMessage().startsWith("backbones.simple-conv.batch-norm-momentum: expected a value in [0, 1)"), momentum.getMessage());
    assertTrue(momentum.getMessage().endsWith("got 1.0"), momentum.getMessage());
    IllegalArgumentException epsilon =
        assertThrows(IllegalArgumentException.class,
            () -> BatchNorm.fromOptions(ConfigFactory.parseString("batch-norm = true, batch-norm-epsilon = 0").withFallback(defaults), section));
    assertTrue(epsilon.getMessage().startsWith("backbones.simple-conv.batch-norm-epsilon: expected a finite value of at least 1.001E-5"), epsilon.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new BatchNorm(-0.1f, 1e-3f));
    assertThrows(IllegalArgumentException.class, () -> new BatchNorm(0.5f, Float.NaN));
  }
}
