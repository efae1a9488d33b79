package io.pixelwise.metrics;

import java.util.Arrays;

/**
 * Pixel counts by (ground truth, prediction) over train ids {@code 0..C-1}: rows are ground truth,
 * columns are predictions. Not thread-safe.
 *
 * <p>Derived numbers follow cityscapesScripts and MMSegmentation: a per-class figure whose
 * denominator is zero is undefined ({@link Double#NaN}) and means skip undefined classes (a
 * "nanmean"). In particular a class absent from both ground truth and predictions has no IoU and
 * does not count in {@link #meanIou()}, while a class that is predicted but absent from the ground
 * truth has IoU 0 and does count.
 */
public final class ConfusionMatrix {
  private final int classes;
  /** Row-major C×C. */
  private final long[] counts;
  /**
   * Per-call counts: int suffices since one call sees at most {@code Integer.MAX_VALUE} pixels,
   * and counting here first leaves {@link #counts} untouched when a call fails half-way.
   */
  private final int[] scratch;

  public ConfusionMatrix(int classes) {
    if (classes < 1 || classes > 255) {
      throw new IllegalArgumentException("a confusion matrix needs 1 to 255 classes, got " + classes);
    }
    this.classes = classes;
    this.counts = new long[classes * classes];
    this.scratch = new int[classes * classes];
  }

  public int classes() {
    return classes;
  }

  /**
   * Counts the first {@code pixels} entries of two arrays of unsigned-byte train ids. A pixel whose
   * label is {@code >= C} (the ignore id, 255 by convention, or any other id outside the label set)
   * is skipped, and its prediction is not read.
   *
   * @throws IllegalArgumentException if a counted pixel's prediction is {@code >= C} (the matrix is
   *     then left unchanged), or if an array holds fewer than {@code pixels} entries
   */
  public void add(byte[] labels, byte[] predictions, int pixels) {
    if (pixels < 0 || labels.length < pixels || predictions.length < pixels) {
      throw new IllegalArgumentException(
          "cannot read " + pixels + " pixels from " + labels.length + " labels and "
              + predictions.length + " predictions");
    }
    final int c = classes;
    final int[] s = scratch;
    Arrays.fill(s, 0);
    for (int i = 0; i < pixels; i++) {
      int truth = labels[i] & 0xff;
      if (truth >= c) {
        continue;
      }
      int predicted = predictions[i] & 0xff;
      if (predicted >= c) {
        throw new IllegalArgumentException(
            "prediction " + predicted + " at pixel " + i + " is not a train id of the "
                + c + " classes (0.." + (c - 1) + ")");
      }
      s[truth * c + predicted]++;
    }
    for (int i = 0; i < s.length; i++) {
      counts[i] += s[i];
    }
  }

  /** Adds another matrix's counts to this one's (e.g. from a parallel worker). */
  public void merge(ConfusionMatrix other) {
    if (other.classes != classes) {
      throw new IllegalArgumentException(
          "cannot merge a " + other.classes + "-class confusion matrix into a " + classes + "-class one");
    }
    for (int i = 0; i < counts.length; i++) {
      counts[i] += other.counts[i];
    }
  }

  public void reset() {
    Arrays.fill(counts, 0);
  }

  /** Pixels of ground-truth class {@code truth} predicted as {@code predicted}. */
  public long count(int truth, int predicted) {
    return counts[index(truth) * classes + index(predicted)];
  }

  /** A copy, {@code [truth][predicted]}. */
  public long[][] counts() {
    long[][] copy = new long[classes][];
    for (int t = 0; t < classes; t++) {
      copy[t] = Arrays.copyOfRange(counts, t * classes, (t + 1) * classes);
    }
    return copy;
  }

  /** Pixels counted (labelled with a train id). */
  public long total() {
    long sum = 0;
    for (long v : counts) {
      sum += v;
    }
    return sum;
  }

  public long truePositives(int c) {
    return count(c, c);
  }

  /** Pixels whose ground truth is {@code c} (row sum): TP + FN. */
  public long groundTruth(int c) {
    int row = index(c) * classes;
    long sum = 0;
    for (int p = 0; p < classes; p++) {
      sum += counts[row + p];
    }
    return sum;
  }

  /** Pixels predicted as {@code c} (column sum): TP + FP. */
  public long predicted(int c) {
    int col = index(c);
    long sum = 0;
    for (int t = 0; t < classes; t++) {
      sum += counts[t * classes + col];
    }
    return sum;
  }

  /** Whether class {@code c} occurs in the ground truth or the predictions (TP + FP + FN > 0). */
  public boolean present(int c) {
    return groundTruth(c) + predicted(c) > 0;
  }

  /** TP / (TP + FP + FN); NaN for a class absent from both ground truth and predictions. */
  public double iou(int c) {
    long tp = truePositives(c);
    return ratio(tp, groundTruth(c) + predicted(c) - tp);
  }

  /** Dice (F1): 2 TP / (ground truth + predicted); NaN for a class absent from both. */
  public double dice(int c) {
    return ratio(2 * truePositives(c), groundTruth(c) + predicted(c));
  }

  /** Mean Dice over the classes present in the ground truth or the predictions; NaN if none. */
  public double meanDice() {
    double sum = 0;
    int n = 0;
    for (int c = 0; c < classes; c++) {
      double v = dice(c);
      if (!Double.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** TP / (TP + FN); NaN for a class absent from the ground truth. */
  public double recall(int c) {
    return ratio(truePositives(c), groundTruth(c));
  }

  /** TP / (TP + FP); NaN for a class never predicted. */
  public double precision(int c) {
    return ratio(truePositives(c), predicted(c));
  }

  /** Trace / total; NaN when no pixel was counted. */
  public double pixelAccuracy() {
    long trace = 0;
    for (int c = 0; c < classes; c++) {
      trace += counts[c * classes + c];
    }
    return ratio(trace, total());
  }

  /**
   * Mean IoU over the classes present in the ground truth or the predictions; classes absent from
   * both are undefined and left out (not counted as 0 or 1). NaN when no class is present.
   */
  public double meanIou() {
    double sum = 0;
    int n = 0;
    for (int c = 0; c < classes; c++) {
      double v = iou(c);
      if (!Double.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** Mean recall (per-class accuracy) over the classes present in the ground truth; NaN if none. */
  public double meanAccuracy() {
    double sum = 0;
    int n = 0;
    for (int c = 0; c < classes; c++) {
      double v = recall(c);
      if (!Double.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /**
   * IoU weighted by each class's share of the ground-truth pixels (Long et al., FCN); NaN when no
   * pixel was counted. Classes absent from the ground truth weigh 0.
   */
  public double frequencyWeightedIou() {
    long total = total();
    if (total == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int c = 0; c < classes; c++) {
      long gt = groundTruth(c);
      if (gt > 0) {
        sum += (double) gt * iou(c);
      }
    }
    return sum / total;
  }

  private int index(int c) {
    if (c < 0 || c >= classes) {
      throw new IndexOutOfBoundsException("class " + c + " of " + classes);
    }
    return c;
  }

  private static double ratio(long numerator, long denominator) {
    return denominator == 0 ? Double.NaN : (double) numerator / denominator;
  }
}
