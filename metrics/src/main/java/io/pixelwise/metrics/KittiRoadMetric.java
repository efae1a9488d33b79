package io.pixelwise.metrics;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.metric.Metric;
import io.pixelwise.api.metric.MetricResult;
import io.pixelwise.api.metric.PredictionBatch;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The KITTI Road benchmark's pixel evaluation in the perspective view, as its devkit
 * ({@code evalExp} and {@code pxEval_maximizeFMeasure}) defines it: the positive class's
 * probability is quantised to 256 confidence levels (as in the devkit's confidence PNGs), the
 * threshold is swept over levels 0..255, and from the false-negative and false-positive counts
 * come precision and recall per threshold, MaxF (the best F1), AP (Pascal VOC 11-point average
 * precision) and PRE, REC, FPR, FNR at the MaxF threshold. Computed overall and per category
 * (the id prefix: um, umm, uu). Ignore pixels (outside the valid area) do not count.
 */
public final class KittiRoadMetric implements Metric {
  private static final int LEVELS = 256;

  private final ClassInfo classes;
  private final int positive;
  private final boolean byCategory;
  private final Map<String, long[][]> histograms = new TreeMap<>();

  public KittiRoadMetric(ClassInfo classes, String positiveClass, boolean byCategory) {
    this.classes = classes;
    this.positive = classes.names().indexOf(positiveClass);
    if (positive < 0) {
      throw new IllegalArgumentException(
          "metrics.kitti-road.positive-class = '" + positiveClass + "' is not a class of this dataset; classes: "
              + String.join(", ", classes.names()));
    }
    this.byCategory = byCategory;
  }

  @Override
  public boolean needsProbabilities() {
    return true;
  }

  @Override
  public void reset() {
    histograms.clear();
  }

  @Override
  public void update(PredictionBatch batch) {
    if (batch.probabilities() == null) {
      throw new IllegalStateException("kitti-road needs class probabilities; the runner did not provide them");
    }
    int k = classes.size();
    int hw = batch.height() * batch.width();
    for (int n = 0; n < batch.count(); n++) {
      long[][] all = histograms.computeIfAbsent("all", x -> new long[2][LEVELS]);
      long[][] category = null;
      if (byCategory && batch.ids() != null) {
        String id = batch.ids().get(n);
        int cut = id.indexOf('_');
        category = histograms.computeIfAbsent(cut > 0 ? id.substring(0, cut) : id, x -> new long[2][LEVELS]);
      }
      for (int i = n * hw; i < (n + 1) * hw; i++) {
        int truth = batch.labels()[i] & 0xff;
        if (truth >= k) {
          continue;
        }
        int level = (int) Math.round(Math.max(0, Math.min(1, batch.probabilities()[i * k + positive])) * (LEVELS - 1));
        int row = truth == positive ? 0 : 1;
        all[row][level]++;
        if (category != null) {
          category[row][level]++;
        }
      }
    }
  }

  /** Scores from the positive ({@code [0]}) and negative ({@code [1]}) confidence histograms. */
  public record Scores(double maxF, double averagePrecision, double precision, double recall, double fpr, double fnr,
      double accuracy, double threshold) {}

  /** The devkit's evaluation of one pair of histograms. */
  public static Scores score(long[] positives, long[] negatives) {
    long posNum = 0;
    long negNum = 0;
    for (int q = 0; q < LEVELS; q++) {
      posNum += positives[q];
      negNum += negatives[q];
    }
    // FN[t]: positives below threshold t; FP[t]: negatives at or above it.
    double[] recall = new double[LEVELS];
    double[] precision = new double[LEVELS];
    long[] fn = new long[LEVELS];
    long[] fp = new long[LEVELS];
    long below = 0;
    long atOrAbove = negNum;
    for (int t = 0; t < LEVELS; t++) {
      fn[t] = below;
      fp[t] = atOrAbove;
      below += positives[t];
      atOrAbove -= negatives[t];
    }
    boolean[] valid = new boolean[LEVELS];
    for (int t = 0; t < LEVELS; t++) {
      long tp = posNum - fn[t];
      recall[t] = posNum == 0 ? 0 : tp / (double) posNum;
      precision[t] = tp / (tp + fp[t] + 1e-10);
      valid[t] = !(recall[t] == 0 && precision[t] == 0);
    }
    double apSum = 0;
    int apCount = 0;
    for (int r = 0; r <= 10; r++) {
      double level = r / 10.0;
      double best = -1;
      for (int t = 0; t < LEVELS; t++) {
        if (valid[t] && recall[t] >= level - 1e-12) {
          best = Math.max(best, precision[t]);
        }
      }
      if (best >= 0) {
        apSum += best;
        apCount++;
      }
    }
    int bestT = -1;
    double maxF = -1;
    for (int t = 0; t < LEVELS; t++) {
      if (!valid[t]) {
        continue;
      }
      double f = 2 * precision[t] * recall[t] / (precision[t] + recall[t] + 1e-10);
      if (f > maxF) {
        maxF = f;
        bestT = t;
      }
    }
    if (bestT < 0) {
      return new Scores(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    long tp = posNum - fn[bestT];
    long tn = negNum - fp[bestT];
    return new Scores(
        maxF,
        apCount == 0 ? Double.NaN : apSum / apCount,
        precision[bestT],
        recall[bestT],
        fp[bestT] + tn == 0 ? Double.NaN : fp[bestT] / (double) (fp[bestT] + tn),
        fn[bestT] + tp == 0 ? Double.NaN : fn[bestT] / (double) (fn[bestT] + tp),
        (tp + tn) / (double) Math.max(1, posNum + negNum),
        bestT / (double) (LEVELS - 1));
  }

  @Override
  public MetricResult result() {
    Map<String, Double> scalars = new LinkedHashMap<>();
    Map<String, Object> details = new LinkedHashMap<>();
    StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
        "%-10s %8s %8s %8s %8s %8s %8s%n", "category", "MaxF %", "AP %", "PRE %", "REC %", "FPR %", "FNR %"));
    long[][] all = histograms.getOrDefault("all", new long[2][LEVELS]);
    Map<String, long[][]> ordered = new LinkedHashMap<>();
    histograms.forEach((name, h) -> {
      if (!name.equals("all")) {
        ordered.put(name, h);
      }
    });
    ordered.put("all", all);
    for (Map.Entry<String, long[][]> e : ordered.entrySet()) {
      Scores s = score(e.getValue()[0], e.getValue()[1]);
      String suffix = e.getKey().equals("all") ? "" : "/" + e.getKey();
      scalars.put("maxf" + suffix, s.maxF());
      scalars.put("ap" + suffix, s.averagePrecision());
      scalars.put("precision" + suffix, s.precision());
      scalars.put("recall" + suffix, s.recall());
      scalars.put("fpr" + suffix, s.fpr());
      scalars.put("fnr" + suffix, s.fnr());
      details.put(e.getKey(), Map.of("threshold", s.threshold(), "accuracy", s.accuracy()));
      table.append(String.format(Locale.ROOT, "%-10s %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f%n", e.getKey(),
          100 * s.maxF(), 100 * s.averagePrecision(), 100 * s.precision(), 100 * s.recall(), 100 * s.fpr(), 100 * s.fnr()));
    }
    return new MetricResult(scalars, details, table.toString());
  }
}
