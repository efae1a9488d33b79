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

  public ConfusionMetric(ClassInfo classes) {
    this.names = classes.names();
    // Results are keyed by class name, so two classes with one name would silently collide.
    var seen = new HashSet<String>();
    for (String n : names) {
      if (!seen.add(n)) {
        throw new IllegalArgumentException("the label set names two classes '" + n + "'");
      }
    }
    this.matrix = new ConfusionMatrix(classes.size());
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
    return sb.toString();
  }

  private static String percent(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", 100 * v);
  }

  private static Double orNull(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
