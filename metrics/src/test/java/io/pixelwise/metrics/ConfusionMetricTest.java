package io.pixelwise.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.SegmentationClass;
import io.pixelwise.api.metric.MetricResult;
import io.pixelwise.api.metric.PredictionBatch;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConfusionMetricTest {
  private static final double EPS = 1e-12;
  static final ClassInfo STREET =
      new ClassInfo(
          List.of(
              SegmentationClass.of("road", 128, 64, 128),
              SegmentationClass.of("vehicle", 0, 0, 142),
              SegmentationClass.of("sky", 70, 130, 180),
              SegmentationClass.of("person", 220, 20, 60)),
          255,
          0);

  /** The matrix test's hand case as one 1x2x5 batch. */
  private static ConfusionMetric handCase() {
    ConfusionMetric metric = new ConfusionMetric(STREET);
    metric.update(new PredictionBatch(1, 2, 5, ConfusionMatrixTest.LABELS, ConfusionMatrixTest.PREDICTIONS));
    return metric;
  }

  @Test
  void groupsAreScoredOnTheMergedMatrix() {
    ConfusionMetric metric = new ConfusionMetric(STREET,
        Map.of("ground", List.of("road", "vehicle"), "other", List.of("sky", "person")));
    metric.update(new PredictionBatch(1, 2, 5, ConfusionMatrixTest.LABELS, ConfusionMatrixTest.PREDICTIONS));
    Map<String, Double> s = metric.result().scalars();
    // ground: TP 7 of truth 8 and predicted 7; other: never true, predicted once.
    assertEquals(7.0 / 8, s.get("group-iou/ground"), EPS);
    assertEquals(0.0, s.get("group-iou/other"), EPS);
    assertEquals(7.0 / 16, s.get("mean-group-iou"), EPS);
    assertTrue(metric.result().report().contains("ground IoU"));

    var unknown = assertThrows(IllegalArgumentException.class,
        () -> new ConfusionMetric(STREET, Map.of("flat", List.of("road", "sidewalk"))));
    assertTrue(unknown.getMessage().contains("sidewalk") && unknown.getMessage().contains("groups.flat"));
    var twice = assertThrows(IllegalArgumentException.class,
        () -> new ConfusionMetric(STREET, new java.util.TreeMap<>(Map.of("a", List.of("road"), "b", List.of("road")))));
    assertTrue(twice.getMessage().contains("both a and b"), twice.getMessage());
  }

  @Test
  void scalars() {
    Map<String, Double> s = handCase().result().scalars();
    assertEquals(1.0 / 3, s.get("miou"), EPS);
    assertEquals(5.0 / 8, s.get("pixel-accuracy"), EPS);
    assertEquals(0.625, s.get("mean-accuracy"), EPS);
    assertEquals(0.5, s.get("fw-iou"), EPS);
    assertEquals(0.4, s.get("iou/road"), EPS);
    assertEquals(0.6, s.get("iou/vehicle"), EPS);
    assertEquals(0.0, s.get("iou/sky"), 0.0);
    assertFalse(s.containsKey("iou/person"), "undefined IoU is no scalar");
  }

  @Test
  @SuppressWarnings("unchecked")
  void details() {
    Map<String, Object> d = handCase().result().details();
    Map<String, Double> iou = (Map<String, Double>) d.get("iou");
    assertEquals(List.of("road", "vehicle", "sky", "person"), List.copyOf(iou.keySet()));
    assertEquals(0.4, iou.get("road"), EPS);
    assertEquals(0.0, iou.get("sky"), 0.0);
    assertTrue(iou.containsKey("person"));
    assertNull(iou.get("person"));
    Map<String, Double> recall = (Map<String, Double>) d.get("recall");
    assertEquals(0.75, recall.get("vehicle"), EPS);
    assertNull(recall.get("sky"));
    Map<String, Double> precision = (Map<String, Double>) d.get("precision");
    assertEquals(2.0 / 3, precision.get("road"), EPS);
    assertEquals(0.0, precision.get("sky"), 0.0);
    assertEquals(
        List.of(List.of(2L, 1L, 1L, 0L), List.of(1L, 3L, 0L, 0L), List.of(0L, 0L, 0L, 0L), List.of(0L, 0L, 0L, 0L)),
        d.get("confusion"));
    assertEquals(List.of("road", "vehicle", "sky", "person"), d.get("classes"));
  }

  @Test
  void reportListsClassesAndMeanIou() {
    String report = handCase().result().report();
    for (String name : STREET.names()) {
      assertTrue(report.contains(name), report);
    }
    assertTrue(report.contains("33.33"), report); // mIoU
    assertTrue(report.contains("62.50"), report); // pixel accuracy
    assertTrue(report.contains("3 of 4 classes present"), report);
    // Every line of the table has the same width up to the pixels column.
    List<String> rows = report.lines().limit(1 + STREET.size()).toList();
    assertEquals(1, rows.stream().mapToInt(String::length).distinct().count(), report);
  }

  @Test
  void countLimitsThePixelsRead() {
    // Two images' worth of arrays, but only the first image belongs to the batch; the second
    // carries a prediction that would be rejected if read.
    byte[] labels = {0, 1, 1, 0, 0, 0, 1, 1};
    byte[] predictions = {0, 1, 0, 0, (byte) 99, (byte) 99, (byte) 99, (byte) 99};
    ConfusionMetric metric = new ConfusionMetric(STREET);
    metric.update(new PredictionBatch(1, 2, 2, labels, predictions));
    assertEquals(4, metric.matrix().total());
    assertEquals(1, metric.matrix().count(1, 0));
  }

  @Test
  void accumulatesAcrossBatchesUntilReset() {
    ConfusionMetric metric = handCase();
    metric.update(new PredictionBatch(1, 2, 5, ConfusionMatrixTest.LABELS, ConfusionMatrixTest.PREDICTIONS));
    assertEquals(16, metric.matrix().total());
    assertEquals(1.0 / 3, metric.result().scalars().get("miou"), EPS);
    metric.reset();
    assertEquals(0, metric.matrix().total());
    assertTrue(metric.result().scalars().get("miou").isNaN());
  }

  @Test
  void predictionOutsideTheLabelSetIsAnError() {
    ConfusionMetric metric = new ConfusionMetric(STREET);
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> metric.update(new PredictionBatch(1, 1, 2, new byte[] {0, 1}, new byte[] {0, 4})));
    assertTrue(e.getMessage().contains("prediction 4"), e.getMessage());
  }

  @Test
  void duplicateClassNamesAreRejected() {
    ClassInfo twice =
        new ClassInfo(List.of(SegmentationClass.of("a", 0, 0, 0), SegmentationClass.of("a", 1, 1, 1)), 255, 0);
    assertThrows(IllegalArgumentException.class, () -> new ConfusionMetric(twice));
  }

  /** Not an assertion: prints update() throughput on a validation-sized batch. */
  @Test
  void throughput() {
    int count = 10;
    int height = 160;
    int width = 384;
    int pixels = count * height * width;
    ClassInfo classes = STREET;
    Random r = new Random(7);
    byte[] labels = new byte[pixels];
    byte[] predictions = new byte[pixels];
    for (int i = 0; i < pixels; i++) {
      int row = i / width % height;
      int label = row * classes.size() / height; // horizontal bands, like a street scene
      labels[i] = (byte) (r.nextInt(20) == 0 ? 255 : label);
      predictions[i] = (byte) (r.nextInt(10) == 0 ? r.nextInt(classes.size()) : label);
    }
    PredictionBatch batch = new PredictionBatch(count, height, width, labels, predictions);
    ConfusionMetric metric = new ConfusionMetric(classes);
    for (int i = 0; i < 100; i++) {
      metric.update(batch);
    }
    int runs = 200;
    long start = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      metric.update(batch);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    MetricResult result = metric.result();
    System.out.printf(
        "confusion update: %.0f Mpixel/s (%.3f ms per %dx%dx%d batch, mIoU %.3f)%n",
        (double) pixels * runs / seconds / 1e6, seconds / runs * 1e3, count, height, width,
        result.scalars().get("miou"));
  }
}
