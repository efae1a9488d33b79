package io.pixelwise.metrics;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.metric.Metric;
import io.pixelwise.api.metric.MetricResult;
import io.pixelwise.api.metric.PredictionBatch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code confusion} metric: a {@link ConfusionMatrix} over the label set and what derives from
 * it.
 *
 * <p>Scalars: {@code miou}, {@code pixel-accuracy}, {@code mean-accuracy}, {@code fw-iou} (NaN when
 * nothing was counted) and {@code iou/<class>} for every class present in the ground truth or the
 * predictions. Details: {@code iou}, {@code recall} and {@code precision} (class name to value,
 * {@code null} where undefined), {@code confusion} ({@code [truth][predicted]} pixel counts) and
 * {@code classes}. mIoU leaves out classes absent from both ground truth and predictions; see
 * {@link ConfusionMatrix}.
 */
public final class ConfusionMetric implements Metric {
  private final List<String> names;
  private final ConfusionMatrix matrix;
  /** Group name to the class ids it merges (Cityscapes categories over the 19 classes, say). */
  private final Map<String, List<Integer>> groups = new LinkedHashMap<>();

  public ConfusionMetric(ClassInfo classes) {
    this(classes, Map.of());
  }

  /**
   * @param groups optional merged classes, group name to class names: their IoU is computed on
   *     the confusion matrix with each group's rows and columns summed (e.g. the Cityscapes
   *     category IoU of a 19-class run)
   */
  public ConfusionMetric(ClassInfo classes, Map<String, List<String>> groups) {
    this.names = classes.names();
    // Results are keyed by class name, so two classes with one name would silently collide.
    var seen = new HashSet<String>();
    for (String n : names) {
      if (!seen.add(n)) {
        throw new IllegalArgumentException("the label set names two classes '" + n + "'");
      }
    }
    this.matrix = new ConfusionMatrix(classes.size());
    Map<Integer, String> taken = new java.util.HashMap<>();
    groups.forEach((group, members) -> {
      List<Integer> ids = new ArrayList<>();
      for (String member : members) {
        int id = names.indexOf(member);
        if (id < 0) {
          throw new IllegalArgumentException("metrics.confusion.groups." + group + ": no class '" + member
              + "'; classes: " + String.join(", ", names));
        }
        String other = taken.put(id, group);
        if (other != null) {
          throw new IllegalArgumentException(
              "metrics.confusion.groups: class '" + member + "' is in both " + other + " and " + group);
        }
        ids.add(id);
      }
      this.groups.put(group, List.copyOf(ids));
    });
  }

  /** IoU of each group: pixels whose truth and prediction fall in the same group count as right. */
  private Map<String, Double> groupIou() {
    Map<String, Double> out = new LinkedHashMap<>();
    long[][] counts = matrix.counts();
    for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
      java.util.Set<Integer> members = new HashSet<>(g.getValue());
      long tp = 0;
      long truth = 0;
      long predicted = 0;
      for (int t = 0; t < counts.length; t++) {
        for (int p = 0; p < counts.length; p++) {
          boolean inT = members.contains(t);
          boolean inP = members.contains(p);
          tp += inT && inP ? counts[t][p] : 0;
          truth += inT ? counts[t][p] : 0;
          predicted += inP ? counts[t][p] : 0;
        }
      }
      long union = truth + predicted - tp;
      out.put(g.getKey(), union == 0 ? Double.NaN : tp / (double) union);
    }
    return out;
  }

  /** The accumulated counts (live, not a copy). */
  public ConfusionMatrix matrix() {
    return matrix;
  }

  @Override
  public void reset() {
    matrix.reset();
  }

  @Override
  public void update(PredictionBatch batch) {
    if (batch.count() < 0 || batch.height() < 0 || batch.width() < 0) {
      throw new IllegalArgumentException(
          "batch of " + batch.count() + " x " + batch.height() + " x " + batch.width());
    }
    // Not batch.pixels(): a product past int range must fail, not wrap.
    int pixels = Math.toIntExact((long) batch.count() * batch.height() * batch.width());
    matrix.add(batch.labels(), batch.predictions(), pixels);
  }

  @Override
  public MetricResult result() {
    int c = names.size();
    Map<String, Double> scalars = new LinkedHashMap<>();
    scalars.put("miou", matrix.meanIou());
    scalars.put("pixel-accuracy", matrix.pixelAccuracy());
    scalars.put("mean-accuracy", matrix.meanAccuracy());
    scalars.put("fw-iou", matrix.frequencyWeightedIou());
    scalars.put("mean-dice", matrix.meanDice());
    if (!groups.isEmpty()) {
      double sum = 0;
      int n = 0;
      for (Map.Entry<String, Double> g : groupIou().entrySet()) {
        if (!Double.isNaN(g.getValue())) {
          scalars.put("group-iou/" + g.getKey(), g.getValue());
          sum += g.getValue();
          n++;
        }
      }
      scalars.put("mean-group-iou", n == 0 ? Double.NaN : sum / n);
    }
    // LinkedHashMap: these hold nulls (MetricResult copies only the top level).
    Map<String, Double> iou = new LinkedHashMap<>();
    Map<String, Double> recall = new LinkedHashMap<>();
    Map<String, Double> precision = new LinkedHashMap<>();
    Map<String, Double> dice = new LinkedHashMap<>();
    for (int k = 0; k < c; k++) {
      String name = names.get(k);
      double v = matrix.iou(k);
      if (!Double.isNaN(v)) {
        scalars.put("iou/" + name, v);
      }
      iou.put(name, orNull(v));
      recall.put(name, orNull(matrix.recall(k)));
      precision.put(name, orNull(matrix.precision(k)));
      dice.put(name, orNull(matrix.dice(k)));
    }
    List<List<Long>> confusion = new ArrayList<>(c);
    for (long[] row : matrix.counts()) {
      List<Long> r = new ArrayList<>(c);
      for (long v : row) {
        r.add(v);
      }
      confusion.add(Collections.unmodifiableList(r));
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("iou", Collections.unmodifiableMap(iou));
    details.put("recall", Collections.unmodifiableMap(recall));
    details.put("precision", Collections.unmodifiableMap(precision));
    details.put("dice", Collections.unmodifiableMap(dice));
    details.put("confusion", Collections.unmodifiableList(confusion));
    details.put("classes", names);
    return new MetricResult(scalars, details, report());
  }

  /** The per-class table with the summary lines below it. */
  public String report() {
    int c = names.size();
    int width = "pixel accuracy".length();
    for (String n : names) {
      width = Math.max(width, n.length());
    }
    String row = "%-" + width + "s  %7s  %8s  %11s  %7s  %13s%n";
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, row, "class", "IoU %", "recall %", "precision %", "Dice %", "pixels"));
    int present = 0;
    for (int k = 0; k < c; k++) {
      if (matrix.present(k)) {
        present++;
      }
      sb.append(String.format(Locale.ROOT, row, names.get(k), percent(matrix.iou(k)),
          percent(matrix.recall(k)), percent(matrix.precision(k)), percent(matrix.dice(k)),
          String.format(Locale.ROOT, "%,d", matrix.groundTruth(k))));
    }
    String line = "%-" + width + "s  %7s%s%n";
    sb.append(String.format(Locale.ROOT, line, "mIoU", percent(matrix.meanIou()),
        " %  (" + present + " of " + c + " classes present)"));
    sb.append(String.format(Locale.ROOT, line, "pixel accuracy", percent(matrix.pixelAccuracy()),
        " %  (" + String.format(Locale.ROOT, "%,d", matrix.total()) + " pixels)"));
    sb.append(String.format(Locale.ROOT, line, "mean accuracy", percent(matrix.meanAccuracy()), " %"));
    sb.append(String.format(Locale.ROOT, line, "fw-IoU", percent(matrix.frequencyWeightedIou()), " %"));
    sb.append(String.format(Locale.ROOT, line, "mean Dice", percent(matrix.meanDice()), " %"));
    if (!groups.isEmpty()) {
      for (Map.Entry<String, Double> g : groupIou().entrySet()) {
        sb.append(String.format(Locale.ROOT, line, g.getKey() + " IoU", percent(g.getValue()), " %"));
      }
    }
    return sb.toString();
  }

  private static String percent(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", 100 * v);
  }

  private static Double orNull(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
