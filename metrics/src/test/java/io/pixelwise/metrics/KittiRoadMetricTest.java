package io.pixelwise.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.SegmentationClass;
import io.pixelwise.api.metric.MetricResult;
import io.pixelwise.api.metric.PredictionBatch;
import java.util.List;
import org.junit.jupiter.api.Test;

class KittiRoadMetricTest {
  private static final ClassInfo CLASSES = new ClassInfo(
      List.of(SegmentationClass.of("not-road", 255, 0, 0), SegmentationClass.of("road", 255, 0, 255)), 255, 0);

  /**
   * Road pixels at confidence levels 255, 200, 100; other pixels at 150, 50, 0; one ignore pixel.
   * By hand (devkit definitions): MaxF = 6/7 at threshold level 51 (TP 3, FP 1: PRE 3/4, REC 1),
   * FPR = 1/3, FNR = 0; 11-point AP = (7 x 1.0 + 4 x 0.75) / 11 = 10/11.
   */
  private static PredictionBatch batch(List<String> ids) {
    int[] levels = {255, 200, 100, 150, 50, 0, 255};
    byte[] labels = {1, 1, 1, 0, 0, 0, (byte) 255};
    float[] probabilities = new float[levels.length * 2];
    for (int i = 0; i < levels.length; i++) {
      probabilities[2 * i + 1] = levels[i] / 255f;
      probabilities[2 * i] = 1 - levels[i] / 255f;
    }
    return new PredictionBatch(1, 1, 7, labels, new byte[7], probabilities, ids);
  }

  @Test
  void matchesTheDevkitOnAHandComputedCase() {
    KittiRoadMetric metric = new KittiRoadMetric(CLASSES, "road", false);
    metric.update(batch(List.of("um_000000")));
    MetricResult r = metric.result();
    assertEquals(6 / 7.0, r.scalars().get("maxf"), 1e-9);
    assertEquals(10 / 11.0, r.scalars().get("ap"), 1e-9);
    assertEquals(0.75, r.scalars().get("precision"), 1e-9);
    assertEquals(1.0, r.scalars().get("recall"), 1e-9);
    assertEquals(1 / 3.0, r.scalars().get("fpr"), 1e-9);
    assertEquals(0.0, r.scalars().get("fnr"), 1e-9);
    assertTrue(r.report().contains("MaxF"), r.report());
  }

  @Test
  void scoresEachCategoryByIdPrefix() {
    KittiRoadMetric metric = new KittiRoadMetric(CLASSES, "road", true);
    metric.update(batch(List.of("um_000000")));
    metric.update(batch(List.of("uu_000007")));
    MetricResult r = metric.result();
    assertEquals(6 / 7.0, r.scalars().get("maxf/um"), 1e-9);
    assertEquals(6 / 7.0, r.scalars().get("maxf/uu"), 1e-9);
    assertEquals(6 / 7.0, r.scalars().get("maxf"), 1e-9, "doubling every count keeps the overall scores");
    assertTrue(r.report().contains("uu"));
  }

  @Test
  void aPerfectClassifierScoresOne() {
    long[] positives = new long[256];
    long[] negatives = new long[256];
    positives[255] = 10;
    negatives[0] = 30;
    var s = KittiRoadMetric.score(positives, negatives);
    assertEquals(1.0, s.maxF(), 1e-9);
    assertEquals(1.0, s.averagePrecision(), 1e-9);
    assertEquals(0.0, s.fpr(), 1e-9);
  }

  @Test
  void anUnknownPositiveClassListsTheClasses() {
    var e = assertThrows(IllegalArgumentException.class, () -> new KittiRoadMetric(CLASSES, "lane", true));
    assertTrue(e.getMessage().contains("not-road, road"), e.getMessage());
  }
}
