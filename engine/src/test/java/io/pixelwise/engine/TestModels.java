package io.pixelwise.engine;

import io.pixelwise.engine.input.Batch;

import com.typesafe.config.Config;
import java.util.Map;
import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.SegmentationClass;
import java.util.List;

/** Small segmentation graphs over the real plugins, for tests of any runner package. */
public final class TestModels {
  /** Two classes, id 255 ignored. */
  public static final ClassInfo TWO =
      new ClassInfo(List.of(SegmentationClass.of("dark", 0, 0, 0), SegmentationClass.of("bright", 255, 255, 255)), 255, 0);

  private static final Config REFERENCE = ConfigFactory.defaultReference();

  private TestModels() {}

  /**
   * A graph of the named backbone and head, their defaults overridden by the given HOCON, for RGB
   * input normalised around 128, weight decay 1e-4 and Adam.
   */
  public static SegmentationGraph model(String backbone, String backboneOptions, String head, String headOptions, long seed) {
    return new SegmentationGraph(spec(backbone, backboneOptions, head, headOptions, seed, new Optimizer.Adam(0.9f, 0.999f, 1e-8f)));
  }

  /** What {@link #model} builds, with the given optimizer. */
  public static SegmentationGraph.Spec spec(
      String backbone, String backboneOptions, String head, String headOptions, long seed, Optimizer optimizer) {
    return new SegmentationGraph.Spec(
        TestPlugins.backbone(backbone).create(options("backbones." + backbone, backboneOptions)),
        TestPlugins.head(head).create(options("heads." + head, headOptions)),
        SegmentationGraphTest.loss("cross-entropy", false),
        TWO,
        false,
        3,
        new float[] {128, 128, 128},
        new float[] {64, 64, 64},
        1e-4f,
        optimizer,
        seed);
  }

  /** A tiny simple-conv + bilinear model of two classes (16x24 inputs), seeded. */
  public static SegmentationGraph tiny(long seed) {
    return SegmentationGraphTest.tinyModel(seed);
  }

  /** A batch of {@code count} images for {@link #tiny}, seeded. */
  public static Batch tinyBatch(long seed, int count) {
    return SegmentationGraphTest.batch(seed, count);
  }

  /** The same variables with bit-identical values, e.g. after a checkpoint round trip. */
  public static void assertSameVariables(Map<String, float[]> expected, Map<String, float[]> actual) {
    org.junit.jupiter.api.Assertions.assertEquals(expected.keySet(), actual.keySet());
    for (String k : expected.keySet()) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(expected.get(k), actual.get(k), 0f, k);
    }
  }

  private static Config options(String section, String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(REFERENCE.getConfig(section));
  }

  /**
   * Bright discs (radius {@code minRadius} + 0..{@code radiusSpread}-1) on dark noise, labelled 1
   * inside and 0 outside; the top row is ignored (255).
   */
  public static Batch blobs(long seed, int count, int h, int w, int minRadius, int radiusSpread) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    byte[] images = new byte[count * h * w * 3];
    byte[] labels = new byte[count * h * w];
    for (int n = 0; n < count; n++) {
      int cx = r.nextInt(w);
      int cy = r.nextInt(h);
      int rad = minRadius + r.nextInt(radiusSpread);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          boolean inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= rad * rad;
          int p = (n * h + y) * w + x;
          for (int c = 0; c < 3; c++) {
            images[p * 3 + c] = (byte) ((inside ? 150 : 40) + r.nextInt(60));
          }
          labels[p] = (byte) (y == 0 ? 255 : inside ? 1 : 0);
        }
      }
    }
    return new Batch(count, h, w, 3, images, labels, java.util.List.of());
  }
}
