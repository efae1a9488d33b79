package io.pixelwise.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.engine.input.Batch;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The VGG16 encoder with the FCN and skip decoders, trained end to end through the real plugins. */
class VggFcnTrainingTest {
  // Not a multiple of 32: the FCN stages must crop to align.
  private static final int H = 36;
  private static final int W = 52;
  private static final String SLIM_VGG = "widths = [8, 8, 16, 16, 16], fc-widths = [32, 32], fc6-kernel = 3";

  static SegmentationGraph model(String backbone, String backboneOptions, String head, String headOptions, long seed) {
    return TestModels.model(backbone, backboneOptions, head, headOptions, seed);
  }

  /** Bright discs on dark noise, labelled by which; the top row is ignored. */
  static Batch blobs(long seed, int count) {
    return TestModels.blobs(seed, count, H, W, 5, 8);
  }

  @Test
  void slimVgg16WithFcn8LearnsTheToyProblem() {
    Batch val = blobs(99, 4);
    byte[] predictions = new byte[val.pixels()];
    try (SegmentationGraph g = model("vgg16", SLIM_VGG + ", dropout = 0.5", "fcn8", "", 7);
        ModelSession s = new ModelSession(g, 0, 0)) {
      s.initialize();
      float first = s.evaluate(val, predictions);
      for (int step = 1; step <= 40; step++) {
        ModelSession.StepLoss loss = s.train(blobs(step, 6), 5e-3f, step);
        assertTrue(Float.isFinite(loss.total()), "step " + step);
      }
      float last = s.evaluate(val, predictions);
      // Measured: 0.675 -> 0.071, disc IoU 0.74 (all-background would score IoU 0 at loss ~0.35).
      assertTrue(last < 0.3 * first, "validation loss " + first + " -> " + last);
      int both = 0;
      int either = 0;
      for (int p = 0; p < val.pixels(); p++) {
        int label = val.labels()[p] & 0xff;
        if (label != 255) {
          both += label == 1 && predictions[p] == 1 ? 1 : 0;
          either += label == 1 || predictions[p] == 1 ? 1 : 0;
        }
      }
      assertTrue(both > 0.5 * either, "IoU of the discs " + both / (double) either);
    }
  }

  @Test
  void frozenBlocksKeepTheirValuesThroughATrainingStep() {
    try (SegmentationGraph g = model("vgg16", SLIM_VGG + ", freeze = [block1, block2, fc6]", "fcn8", "", 3);
        ModelSession s = new ModelSession(g, 0, 0)) {
      s.initialize();
      Map<String, float[]> before = s.variableValues();
      s.train(blobs(1, 4), 1e-2f, 1);
      Map<String, float[]> after = s.variableValues();
      for (String path : List.of("backbone/block1/conv1/kernel", "backbone/block2/conv2/bias", "backbone/fc6/kernel")) {
        assertArrayEquals(before.get(path), after.get(path), 0f, path + " is frozen");
      }
      for (String path : List.of("backbone/block3/conv1/kernel", "backbone/fc7/kernel", "head/score_pool3/kernel", "head/up_pool3/kernel")) {
        assertFalse(Arrays.equals(before.get(path), after.get(path)), path + " is trained");
      }
      // No optimizer state for what is not trained.
      assertTrue(after.keySet().stream().noneMatch(k -> k.startsWith("optimizer/") && k.contains("block1")), after.keySet().toString());
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      value = {
        "simple-conv; stem-width = 8, widths = [8, 8, 8]; unet-skip; ''",
        "simple-conv; stem-width = 8, widths = [8, 8, 8]; unet-skip; upsample = transposed",
        "vgg16; " + SLIM_VGG + "; unet-skip; min-stride = 4, upsample = transposed",
        "vgg16; " + SLIM_VGG + "; fcn16; skip-scales = [0.01]",
        "simple-conv; stem-width = 8, widths = [8, 8, 8]; fcn8; 'endpoints = [block3, block2, block1]'",
      })
  void decodersTrainOnBothBackbones(String backbone, String backboneOptions, String head, String headOptions) {
    Batch val = blobs(50, 2);
    byte[] predictions = new byte[val.pixels()];
    try (SegmentationGraph g = model(backbone, backboneOptions, head, headOptions, 5);
        ModelSession s = new ModelSession(g, 0, 0)) {
      s.initialize();
      float first = s.evaluate(val, predictions);
      for (int step = 1; step <= 5; step++) {
        assertTrue(Float.isFinite(s.train(blobs(step, 4), 2e-3f, step).total()));
      }
      float last = s.evaluate(val, predictions);
      assertTrue(Float.isFinite(last) && last < first, head + " on " + backbone + ": validation loss " + first + " -> " + last);
    }
  }
}
