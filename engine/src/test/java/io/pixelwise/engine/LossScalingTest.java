package io.pixelwise.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.graph.ModelVariable;
import io.pixelwise.engine.input.Batch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.DeviceSpec;

/**
 * Dynamic loss scaling in the training step (float32 graphs here: the scaling logic does not
 * depend on the rewrite; {@link Float16EmulationTest} runs it with float16 numerics).
 */
class LossScalingTest {
  private static final int H = 12;
  private static final int W = 20;
  private static final String SCALE = "loss_scale/scale";
  private static final String GOOD = "loss_scale/good_steps";
  private static final String STEM = "backbone/stem";
  /** simple-conv with batch norm, so that the step has state updates (moving statistics) too. */
  private static final String SIMPLE_BN = "stem-width = 4, widths = [6, 6], convs-per-block = 1, batch-norm = true";

  private static Batch blobs(long seed, int count) {
    return TestModels.blobs(seed, count, H, W, 3, 4);
  }

  static SegmentationGraph.Spec spec(Optimizer optimizer, LossScale scale) {
    return TestModels.spec("simple-conv", SIMPLE_BN, "bilinear", "", 11, optimizer).withLossScale(scale);
  }

  private static Optimizer optimizer(String name) {
    return name.equals("adam") ? new Optimizer.Adam(0.9f, 0.999f, 1e-8f) : new Optimizer.Momentum(0.9f, true);
  }

  private static ModelVariable variable(SegmentationGraph g, String path) {
    return g.allVariables().stream().filter(v -> v.path().equals(path)).findFirst().orElseThrow();
  }

  @Test
  void aScaledStepUpdatesExactlyAsAnUnscaledOne() {
    // Multiplying by a power of two and dividing by it again is exact in float: one Adam step with
    // S = 1024 must leave the same weights as one without scaling.
    Map<String, float[]> plain;
    Map<String, float[]> scaled;
    try (SegmentationGraph g = new SegmentationGraph(spec(optimizer("adam"), null)); ModelSession s = new ModelSession(g, 1, 1)) {
      s.initialize();
      for (int step = 1; step <= 3; step++) {
        s.train(blobs(step, 4), 1e-2f, step);
      }
      plain = s.variableValues();
    }
    try (SegmentationGraph g = new SegmentationGraph(spec(optimizer("adam"), new LossScale(1024, 2000)));
        ModelSession s = new ModelSession(g, 1, 1)) {
      s.initialize();
      for (int step = 1; step <= 3; step++) {
        ModelSession.StepLoss loss = s.train(blobs(step, 4), 1e-2f, step);
        assertTrue(loss.applied());
        assertEquals(1024f, loss.lossScale());
      }
      scaled = s.variableValues();
    }
    assertArrayEquals(new float[] {1024f}, scaled.get(SCALE));
    assertArrayEquals(new float[] {3f}, scaled.get(GOOD));
    for (var e : plain.entrySet()) {
      float[] a = scaled.get(e.getKey());
      for (int i = 0; i < a.length; i++) {
        float want = e.getValue()[i];
        assertEquals(want, a[i], 1e-6f * Math.max(1, Math.abs(want)), e.getKey() + "[" + i + "]");
      }
    }
    assertTrue(plain.keySet().stream().noneMatch(k -> k.startsWith("loss_scale/")), "a graph without scaling has no scale");
  }

  @ParameterizedTest
  @ValueSource(strings = {"adam", "momentum"})
  void aStepWithANonFiniteGradientChangesNothingButHalvesTheScale(String optimizer) {
    try (SegmentationGraph g = new SegmentationGraph(spec(optimizer(optimizer), new LossScale(1024, 2000)));
        ModelSession s = new ModelSession(g, 1, 1)) {
      s.initialize();
      for (int step = 1; step <= 2; step++) {
        assertTrue(s.train(blobs(step, 4), 1e-2f, step).applied());
      }
      // One NaN weight: the forward pass, the loss and every gradient become NaN.
      ModelVariable kernel = variable(g, STEM + "/kernel");
      float[] poisoned = s.variableValues().get(kernel.path());
      poisoned[0] = Float.NaN;
      s.assign(kernel, poisoned);
      Map<String, float[]> before = s.variableValues();
      assertEquals(2f, before.get(GOOD)[0]);
      assertTrue(before.keySet().stream().anyMatch(k -> k.startsWith("optimizer/")), "slots exist: " + before.keySet());

      ModelSession.StepLoss skipped = s.train(blobs(3, 4), 1e-2f, 3);
      assertFalse(skipped.applied());
      assertEquals(1024f, skipped.lossScale(), "the scale this step used");
      assertTrue(Float.isNaN(skipped.total()));
      Map<String, float[]> after = s.variableValues();
      for (var e : before.entrySet()) {
        if (!e.getKey().startsWith("loss_scale/")) {
          // Weights, optimizer slots and the moving statistics (NaN batch statistics would have
          // made them NaN for good) are bit for bit what they were.
          assertArrayEquals(e.getValue(), after.get(e.getKey()), e.getKey());
        }
      }
      assertArrayEquals(new float[] {512f}, after.get(SCALE));
      assertArrayEquals(new float[] {0f}, after.get(GOOD));
      assertEquals(512.0, s.lossScale().orElseThrow());

      // Repaired, the next step trains at the halved scale.
      poisoned[0] = 0.01f;
      s.assign(kernel, poisoned);
      ModelSession.StepLoss next = s.train(blobs(4, 4), 1e-2f, 4);
      assertTrue(next.applied() && Float.isFinite(next.total()));
      assertEquals(512f, next.lossScale());
      Map<String, float[]> trained = s.variableValues();
      assertFalse(java.util.Arrays.equals(after.get(STEM + "/bn/moving_mean"), trained.get(STEM + "/bn/moving_mean")));
      assertArrayEquals(new float[] {1f}, trained.get(GOOD));
    }
  }

  @Test
  void finiteStepsDoubleTheScaleAndSkipsHalveItDownToOne() {
    try (SegmentationGraph g = new SegmentationGraph(spec(optimizer("adam"), new LossScale(2, 3)));
        ModelSession s = new ModelSession(g, 1, 1)) {
      s.initialize();
      List<Float> used = new ArrayList<>();
      List<Float> counts = new ArrayList<>();
      for (int step = 1; step <= 7; step++) {
        ModelSession.StepLoss loss = s.train(blobs(step, 2), 1e-3f, step);
        assertTrue(loss.applied());
        used.add(loss.lossScale());
        counts.add(s.variableValues().get(GOOD)[0]);
      }
      // Doubled after every 3rd finite step in a row, the count starting again.
      assertEquals(List.of(2f, 2f, 2f, 4f, 4f, 4f, 8f), used);
      assertEquals(List.of(1f, 2f, 0f, 1f, 2f, 0f, 1f), counts);
      assertEquals(8.0, s.lossScale().orElseThrow());

      ModelVariable kernel = variable(g, STEM + "/kernel");
      float[] poisoned = s.variableValues().get(kernel.path());
      poisoned[0] = Float.POSITIVE_INFINITY;
      s.assign(kernel, poisoned);
      List<Float> halved = new ArrayList<>();
      for (int step = 8; step <= 12; step++) {
        assertFalse(s.train(blobs(step, 2), 1e-3f, step).applied());
        halved.add((float) s.lossScale().orElseThrow());
      }
      // Not below 1: float16 gains no range from scales under 1.
      assertEquals(List.of(4f, 2f, 1f, 1f, 1f), halved);
    }
  }

  @Test
  void theScaleIsCheckpointedAndACheckpointWithoutOneStartsItAfresh(@TempDir Path dir) throws Exception {
    LossScale config = new LossScale(64, 3);
    Map<String, float[]> saved;
    try (SegmentationGraph g = new SegmentationGraph(spec(optimizer("adam"), config)); ModelSession s = new ModelSession(g, 1, 1)) {
      s.initialize();
      for (int step = 1; step <= 4; step++) {
        s.train(blobs(step, 2), 1e-3f, step);
      }
      saved = s.variableValues();
      assertArrayEquals(new float[] {128f}, saved.get(SCALE));
      assertArrayEquals(new float[] {1f}, saved.get(GOOD));
      s.save(dir.resolve("scaled"));
    }
    try (SegmentationGraph g = new SegmentationGraph(spec(optimizer("adam"), config)); ModelSession s = new ModelSession(g, 1, 1)) {
      s.initialize();
      s.restore(dir.resolve("scaled"));
      Map<String, float[]> restored = s.variableValues();
      for (var e : saved.entrySet()) {
        assertArrayEquals(e.getValue(), restored.get(e.getKey()), e.getKey());
      }
      // The restored count goes on: two more finite steps make three in a row.
      s.train(blobs(5, 2), 1e-3f, 5);
      assertEquals(128.0, s.lossScale().orElseThrow());
      s.train(blobs(6, 2), 1e-3f, 6);
      assertEquals(256.0, s.lossScale().orElseThrow());
    }
    // A run moved to float16 from a float32 checkpoint: the weights load, the scale starts at its initial value.
    Map<String, float[]> plain;
    try (SegmentationGraph g = new SegmentationGraph(spec(optimizer("adam"), null)); ModelSession s = new ModelSession(g, 1, 1)) {
      s.initialize();
      s.train(blobs(1, 2), 1e-3f, 1);
      plain = s.variableValues();
      s.save(dir.resolve("plain"));
    }
    try (SegmentationGraph g = new SegmentationGraph(spec(optimizer("adam"), new LossScale(64, 1)));
        ModelSession s = new ModelSession(g, 1, 1)) {
      s.initialize();
      s.train(blobs(9, 2), 1e-3f, 1); // moves everything away from the checkpoint, the scale to 128
      assertEquals(128.0, s.lossScale().orElseThrow());
      s.restore(dir.resolve("plain"));
      Map<String, float[]> restored = s.variableValues();
      for (var e : plain.entrySet()) {
        assertArrayEquals(e.getValue(), restored.get(e.getKey()), e.getKey());
      }
      assertArrayEquals(new float[] {64f}, restored.get(SCALE));
      assertArrayEquals(new float[] {0f}, restored.get(GOOD));
    }
    // And back: a float16 run's checkpoint restores into a float32 graph (the scale is left out).
    try (SegmentationGraph g = new SegmentationGraph(spec(optimizer("adam"), null)); ModelSession s = new ModelSession(g, 1, 1)) {
      s.initialize();
      s.restore(dir.resolve("scaled"));
      assertArrayEquals(saved.get(STEM + "/kernel"), s.variableValues().get(STEM + "/kernel"));
    }
  }

  @Test
  void withReplicasTheScaledStepMatchesOneDeviceAndASkipChangesNothing() {
    List<DeviceSpec> twoCpus = Devices.parse("runtime.devices", List.of("cpu:0", "cpu:1"));
    // Without batch norm: replicas normalise with their own half batch, which would change every
    // gradient. Momentum, whose first step is linear in the gradient (Adam's is about its sign).
    SegmentationGraph.Spec spec =
        TestModels.spec("simple-conv", "stem-width = 4, widths = [6, 6], convs-per-block = 1", "bilinear", "", 11, optimizer("momentum"))
            .withLossScale(new LossScale(256, 2000));
    Map<String, float[]> one;
    try (SegmentationGraph g = new SegmentationGraph(spec);
        ModelSession s = new ModelSession(g, 1, 1)) {
      s.initialize();
      s.train(blobs(1, 4), 1e-2f, 1);
      one = s.variableValues();
    }
    try (SegmentationGraph g = new SegmentationGraph(spec, twoCpus);
        ModelSession s = new ModelSession(g, 1, 1)) {
      s.initialize();
      assertTrue(s.train(blobs(1, 4), 1e-2f, 1).applied());
      Map<String, float[]> two = s.variableValues();
      for (var e : one.entrySet()) {
        float[] a = two.get(e.getKey());
        for (int i = 0; i < a.length; i++) {
          assertEquals(e.getValue()[i], a[i], 1e-4f * Math.max(1, Math.abs(e.getValue()[i])), e.getKey() + "[" + i + "]");
        }
      }
      ModelVariable kernel = variable(g, STEM + "/kernel");
      float[] poisoned = two.get(kernel.path());
      poisoned[0] = Float.NaN;
      s.assign(kernel, poisoned);
      Map<String, float[]> before = s.variableValues();
      assertFalse(s.train(blobs(2, 4), 1e-2f, 2).applied());
      Map<String, float[]> after = s.variableValues();
      for (var e : before.entrySet()) {
        if (!e.getKey().startsWith("loss_scale/")) {
          assertArrayEquals(e.getValue(), after.get(e.getKey()), e.getKey());
        }
      }
      assertArrayEquals(new float[] {128f}, after.get(SCALE));
    }
  }
}
