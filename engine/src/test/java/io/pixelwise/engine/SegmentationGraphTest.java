package io.pixelwise.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.SegmentationClass;
import io.pixelwise.api.loss.Loss;
import io.pixelwise.api.loss.LossContext;
import io.pixelwise.engine.input.Batch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentationGraphTest {
  private static final ClassInfo TWO =
      new ClassInfo(List.of(SegmentationClass.of("dark", 0, 0, 0), SegmentationClass.of("bright", 255, 255, 255)), 255, 0);
  private static final int H = 16;
  private static final int W = 24;

  private static final Config DEFAULTS =
      ConfigFactory.defaultReference();

  /** A registered loss with its shipped defaults. */
  static Loss loss(String name, boolean binary) {
    LossContext context = binary ? new LossContext(TWO, true, LossContext.of(TWO).trainFrequencies()) : LossContext.of(TWO);
    return TestPlugins.loss(name).create(DEFAULTS.getConfig("losses." + name), context);
  }

  static SegmentationGraph tinyModel(long seed) {
    return tinyModel(seed, loss("cross-entropy", false), false);
  }

  static SegmentationGraph tinyModel(long seed, List<org.tensorflow.DeviceSpec> devices) {
    return tinyModel(seed, loss("cross-entropy", false), false, devices);
  }

  static SegmentationGraph tinyModel(long seed, Loss loss, boolean binary) {
    return tinyModel(seed, loss, binary, List.of());
  }

  static SegmentationGraph tinyModel(long seed, Loss loss, boolean binary, List<org.tensorflow.DeviceSpec> devices) {
    return tinyModel(seed, loss, binary, devices, false);
  }

  static SegmentationGraph tinyModel(
      long seed, Loss loss, boolean binary, List<org.tensorflow.DeviceSpec> devices, boolean workersReadShards) {
    return tinyModel(seed, loss, binary, devices, workersReadShards, 1e-4f);
  }

  static SegmentationGraph tinyModel(long seed, List<org.tensorflow.DeviceSpec> devices, float weightDecay) {
    return tinyModel(seed, loss("cross-entropy", false), false, devices, false, weightDecay);
  }

  private static SegmentationGraph tinyModel(
      long seed, Loss loss, boolean binary, List<org.tensorflow.DeviceSpec> devices, boolean workersReadShards,
      float weightDecay) {
    return new SegmentationGraph(
        new SegmentationGraph.Spec(
            TestPlugins.backbone("simple-conv").create(
                ConfigFactory.parseString("stem-width = 8, widths = [8, 8], convs-per-block = 1, kernel = 3, kernel-init = he-normal")
                    .withFallback(DEFAULTS.getConfig("backbones.simple-conv"))),
            TestPlugins.head("bilinear").create(ConfigFactory.parseString("endpoint = \"\"")),
            loss,
            TWO,
            binary,
            3,
            new float[] {128, 128, 128},
            new float[] {64, 64, 64},
            weightDecay,
            new Optimizer.Adam(0.9f, 0.999f, 1e-8f),
            seed),
        devices,
        workersReadShards);
  }

  /** Bright blobs on dark noise; the label says which, with an ignored border row. */
  static Batch batch(long seed, int count) {
    return TestModels.blobs(seed, count, H, W, 3, 5);
  }

  @Test
  void trainingLowersTheLossAndCheckpointsRoundTripExactly(@TempDir Path tmp) throws Exception {
    Batch val = batch(99, 4);
    byte[] predictionsBefore = new byte[val.pixels()];
    byte[] predictionsAfter = new byte[val.pixels()];
    Map<String, float[]> saved;
    float valLoss;
    try (SegmentationGraph g = tinyModel(7);
        ModelSession s = new ModelSession(g, 0, 0)) {
      s.initialize();
      float first = s.evaluate(val, predictionsBefore);
      for (int step = 1; step <= 60; step++) {
        ModelSession.StepLoss loss = s.train(batch(step, 8), 5e-3f, step);
        assertTrue(Float.isFinite(loss.total()));
        assertTrue(loss.total() >= loss.data(), "weight decay is added on top of the data loss");
      }
      valLoss = s.evaluate(val, predictionsBefore);
      assertTrue(valLoss < 0.6 * first, "validation loss " + first + " -> " + valLoss);
      s.save(tmp.resolve("ckpt"));
      saved = s.variableValues();
      assertTrue(Files.exists(tmp.resolve("ckpt.index")));
      assertTrue(saved.keySet().stream().anyMatch(k -> k.startsWith("optimizer/")), "optimizer slots are saved: " + saved.keySet());
    }
    // A fresh graph with another seed: different initial weights until the restore.
    try (SegmentationGraph g = tinyModel(8);
        ModelSession s = new ModelSession(g, 0, 0)) {
      s.initialize();
      s.restore(tmp.resolve("ckpt"));
      TestModels.assertSameVariables(saved, s.variableValues());
      assertEquals(valLoss, s.evaluate(val, predictionsAfter), 0f);
      assertArrayEquals(predictionsBefore, predictionsAfter);
    }
  }

  @Test
  void withoutWeightDecayTheTotalLossIsTheDataLoss() {
    // One device, and two replicas (where the decay is added after combining their losses).
    for (List<org.tensorflow.DeviceSpec> devices :
        List.of(List.<org.tensorflow.DeviceSpec>of(), Devices.parse("runtime.devices", List.of("cpu:0", "cpu:1")))) {
      try (SegmentationGraph g = tinyModel(7, devices, 0f);
          ModelSession s = new ModelSession(g, 0, 0)) {
        s.initialize();
        for (int step = 1; step <= 3; step++) {
          ModelSession.StepLoss loss = s.train(batch(step, 4), 5e-3f, step);
          assertTrue(loss.data() > 0 && Float.isFinite(loss.data()), devices + ": data loss " + loss.data());
          assertEquals(loss.data(), loss.total(), 0f, devices + ": no decay on top of the data loss");
        }
      }
    }
  }

  @Test
  void sameSeedGivesTheSameInitialWeights() {
    try (SegmentationGraph a = tinyModel(3);
        ModelSession sa = new ModelSession(a, 0, 0);
        SegmentationGraph b = tinyModel(3);
        ModelSession sb = new ModelSession(b, 0, 0)) {
      sa.initialize();
      sb.initialize();
      Map<String, float[]> va = sa.variableValues();
      Map<String, float[]> vb = sb.variableValues();
      for (String k : va.keySet()) {
        assertArrayEquals(va.get(k), vb.get(k), 0f, k);
      }
    }
  }

  /** Trains the tiny model for {@code steps}; returns the validation loss before and after. */
  private static float[] trainAndValidate(SegmentationGraph g, int steps, byte[] predictions) {
    Batch val = batch(99, 4);
    try (ModelSession s = new ModelSession(g, 0, 0)) {
      s.initialize();
      float first = s.evaluate(val, predictions);
      for (int step = 1; step <= steps; step++) {
        assertTrue(Float.isFinite(s.train(batch(step, 8), 5e-3f, step).total()));
      }
      return new float[] {first, s.evaluate(val, predictions)};
    }
  }

  @Test
  void aWeightedSumOfLossesTrains() {
    WeightedLoss combined =
        new WeightedLoss(
            List.of(
                new WeightedLoss.Term("cross-entropy", 1.0, loss("cross-entropy", false)),
                new WeightedLoss.Term("dice", 0.5, loss("dice", false))));
    try (SegmentationGraph g = tinyModel(7, combined, false)) {
      assertEquals(List.of("cross-entropy", "dice"), List.copyOf(combined.termValues().keySet()));
      float[] loss = trainAndValidate(g, 40, new byte[batch(99, 4).pixels()]);
      assertTrue(loss[1] < 0.6 * loss[0], "validation loss " + loss[0] + " -> " + loss[1]);
    }
  }

  @Test
  void aBinaryModelHasOneLogitAndPredictsForegroundAboveZero() {
    Batch val = batch(99, 4);
    byte[] predictions = new byte[val.pixels()];
    try (SegmentationGraph g = tinyModel(7, loss("dice", true), true)) {
      assertEquals(1, g.logits.shape().get(3), "one foreground logit per pixel");
      float[] loss = trainAndValidate(g, 40, predictions);
      assertTrue(loss[1] < 0.6 * loss[0], "validation loss " + loss[0] + " -> " + loss[1]);
    }
    int right = 0;
    int labelled = 0;
    for (int p = 0; p < val.pixels(); p++) {
      int label = val.labels()[p] & 0xff;
      assertTrue(predictions[p] == 0 || predictions[p] == 1, "prediction " + predictions[p]);
      if (label < 2) {
        labelled++;
        right += predictions[p] == label ? 1 : 0;
      }
    }
    assertTrue(right > 0.9 * labelled, right + " of " + labelled + " pixels right");
  }
}
