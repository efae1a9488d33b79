package io.pixelwise.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {
  private static final double EPS = 1e-12;

  /**
   * Four classes: 0 and 1 in the ground truth, 2 only predicted, 3 nowhere. Pixel 6 is ignored
   * (255, with a prediction that is not a train id: it must not be read), pixel 7 has label 7, which
   * is outside the label set.
   */
  static final byte[] LABELS = {0, 0, 0, 1, 1, 1, (byte) 255, 7, 0, 1};
  static final byte[] PREDICTIONS = {0, 0, 1, 1, 0, 1, (byte) 200, 2, 2, 1};

  static ConfusionMatrix handCase() {
    ConfusionMatrix m = new ConfusionMatrix(4);
    m.add(LABELS, PREDICTIONS, LABELS.length);
    return m;
  }

  @Test
  void countsSkipIgnoredAndOutOfSetLabels() {
    ConfusionMatrix m = handCase();
    long[][] expected = {{2, 1, 1, 0}, {1, 3, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}};
    assertArrayEquals(expected, m.counts());
    assertEquals(8, m.total());
    assertEquals(4, m.groundTruth(0));
    assertEquals(4, m.predicted(1));
    assertEquals(1, m.predicted(2));
  }

  @Test
  void handComputedScores() {
    ConfusionMatrix m = handCase();
    assertEquals(2.0 / 5, m.iou(0), EPS); // TP 2, FP 1, FN 2
    assertEquals(3.0 / 5, m.iou(1), EPS); // TP 3, FP 1, FN 1
    assertEquals(2.0 / 4, m.recall(0), EPS);
    assertEquals(3.0 / 4, m.recall(1), EPS);
    assertEquals(2.0 / 3, m.precision(0), EPS);
    assertEquals(3.0 / 4, m.precision(1), EPS);
    assertEquals(5.0 / 8, m.pixelAccuracy(), EPS);
    assertEquals((0.5 + 0.75) / 2, m.meanAccuracy(), EPS);
    assertEquals((4 * 0.4 + 4 * 0.6) / 8, m.frequencyWeightedIou(), EPS);
  }

  @Test
  void diceIsTwiceTheOverlapOverBothAreas() {
    ConfusionMatrix m = handCase();
    assertEquals(4.0 / 7, m.dice(0), EPS); // 2 TP; 4 in ground truth, 3 predicted
    assertEquals(6.0 / 8, m.dice(1), EPS); // 3 TP; 4 and 4
    assertEquals(0.0, m.dice(2), 0.0); // predicted once, never true
    assertTrue(Double.isNaN(m.dice(3)));
    assertEquals((4.0 / 7 + 0.75 + 0) / 3, m.meanDice(), EPS);
  }

  @Test
  void classPredictedButAbsentFromGroundTruthHasIouZeroAndCounts() {
    ConfusionMatrix m = handCase();
    assertTrue(m.present(2));
    assertEquals(0.0, m.iou(2), 0.0);
    assertEquals(0.0, m.precision(2), 0.0);
    assertTrue(Double.isNaN(m.recall(2)));
    assertEquals((0.4 + 0.6 + 0.0) / 3, m.meanIou(), EPS);
  }

  @Test
  void classAbsentFromBothIsUndefinedAndExcludedFromMeanIou() {
    ConfusionMatrix m = handCase();
    assertFalse(m.present(3));
    assertTrue(Double.isNaN(m.iou(3)));
    assertTrue(Double.isNaN(m.recall(3)));
    assertTrue(Double.isNaN(m.precision(3)));
    // Counted as 0 it would give 0.25; counted as 1, 0.5.
    assertEquals(1.0 / 3, m.meanIou(), EPS);
  }

  @Test
  void perfectPredictionScoresOne() {
    byte[] labels = {0, 1, 2, 2, (byte) 255, 1};
    ConfusionMatrix m = new ConfusionMatrix(5);
    m.add(labels, labels.clone(), labels.length);
    assertEquals(1.0, m.meanIou(), 0.0);
    assertEquals(1.0, m.pixelAccuracy(), 0.0);
    assertEquals(1.0, m.meanAccuracy(), 0.0);
    assertEquals(1.0, m.frequencyWeightedIou(), 0.0);
  }

  @Test
  void emptyMatrixIsUndefined() {
    ConfusionMatrix m = new ConfusionMatrix(3);
    m.add(new byte[] {(byte) 255}, new byte[] {0}, 1);
    assertEquals(0, m.total());
    assertTrue(Double.isNaN(m.meanIou()));
    assertTrue(Double.isNaN(m.pixelAccuracy()));
    assertTrue(Double.isNaN(m.meanAccuracy()));
    assertTrue(Double.isNaN(m.frequencyWeightedIou()));
  }

  @Test
  void twoBatchesEqualOneBigBatch() {
    Random r = new Random(42);
    int n = 10_000;
    byte[] labels = new byte[n];
    byte[] predictions = new byte[n];
    for (int i = 0; i < n; i++) {
      labels[i] = (byte) (r.nextInt(8) == 0 ? 255 : r.nextInt(6));
      predictions[i] = (byte) r.nextInt(5);
    }
    ConfusionMatrix whole = new ConfusionMatrix(5);
    whole.add(labels, predictions, n);

    int split = 3_777;
    ConfusionMatrix parts = new ConfusionMatrix(5);
    parts.add(slice(labels, 0, split), slice(predictions, 0, split), split);
    parts.add(slice(labels, split, n), slice(predictions, split, n), n - split);
    assertArrayEquals(whole.counts(), parts.counts());

    ConfusionMatrix a = new ConfusionMatrix(5);
    ConfusionMatrix b = new ConfusionMatrix(5);
    a.add(slice(labels, 0, split), slice(predictions, 0, split), split);
    b.add(slice(labels, split, n), slice(predictions, split, n), n - split);
    a.merge(b);
    assertArrayEquals(whole.counts(), a.counts());
    assertEquals(whole.meanIou(), a.meanIou(), 0.0);
  }

  @Test
  void mergeRejectsAnotherLabelSetSize() {
    assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(3).merge(new ConfusionMatrix(4)));
  }

  @Test
  void resetClears() {
    ConfusionMatrix m = handCase();
    m.reset();
    assertEquals(0, m.total());
    assertArrayEquals(new long[4][4], m.counts());
  }

  @Test
  void countsIsACopy() {
    ConfusionMatrix m = handCase();
    m.counts()[0][0] = 99;
    assertEquals(2, m.count(0, 0));
  }

  @Test
  void predictionOutOfRangeIsAnErrorAndLeavesTheMatrixUnchanged() {
    ConfusionMatrix m = handCase();
    byte[] labels = {0, 1, 2};
    byte[] predictions = {0, 1, (byte) 200};
    var e = assertThrows(IllegalArgumentException.class, () -> m.add(labels, predictions, 3));
    assertTrue(e.getMessage().contains("200"), e.getMessage());
    assertArrayEquals(handCase().counts(), m.counts());
  }

  @Test
  void onlyTheGivenPixelCountIsRead() {
    byte[] labels = {0, 1, 1, 0};
    byte[] predictions = {0, 1, 0, (byte) 250};
    ConfusionMatrix m = new ConfusionMatrix(2);
    m.add(labels, predictions, 3);
    assertEquals(3, m.total());
    assertThrows(IllegalArgumentException.class, () -> m.add(labels, predictions, 5));
  }

  static byte[] slice(byte[] a, int from, int to) {
    return java.util.Arrays.copyOfRange(a, from, to);
  }
}
