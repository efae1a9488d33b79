package io.pixelwise.runner.report;

import io.pixelwise.api.data.ClassInfo;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The run's curves and confusion matrix as pictures, drawn by XChart from the per-epoch records
 * that also go to {@code metrics.json} (keys {@code epoch}, {@code train_loss}, {@code val_loss},
 * {@code metrics.<metric>.<scalar>}).
 */
public final class Charts {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 520;

  private Charts() {}

  /** Train and validation loss per epoch. */
  public static BufferedImage lossCurves(List<Map<String, Object>> history) {
    XYChart chart = lineChart("Loss", "loss");
    addSeries(chart, "train", history, r -> number(r.get("train_loss")), new Color(31, 119, 180), 2.5f);
    addSeries(chart, "validation", history, r -> number(r.get("val_loss")), new Color(255, 127, 14), 2.5f);
    return BitmapEncoder.getBufferedImage(chart);
  }

  /** mIoU and each class's IoU per epoch, each class in its own colour. */
  public static BufferedImage iouCurves(List<Map<String, Object>> history, String metric, ClassInfo classes) {
    XYChart chart = lineChart("Validation IoU", "IoU");
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    for (int c = 0; c < classes.size(); c++) {
      String name = classes.name(c);
      Color colour = new Color(classes.rgb(c));
      addSeries(chart, name, history, r -> scalar(r, metric, "iou/" + name), colour, 1.5f);
    }
    addSeries(chart, "mIoU", history, r -> scalar(r, metric, "miou"), Color.BLACK, 3.5f);
    return BitmapEncoder.getBufferedImage(chart);
  }

  /**
   * The confusion matrix normalised per ground-truth row (each row sums to 1: where the pixels of
   * that class went), with class names on both axes.
   */
  public static BufferedImage confusion(List<? extends List<? extends Number>> counts, ClassInfo classes) {
    int n = classes.size();
    List<String> names = classes.names();
    List<Number[]> cells = new ArrayList<>();
    for (int truth = 0; truth < n; truth++) {
      double total = 0;
      for (int p = 0; p < n; p++) {
        total += counts.get(truth).get(p).doubleValue();
      }
      for (int p = 0; p < n; p++) {
        double share = total == 0 ? 0 : counts.get(truth).get(p).doubleValue() / total;
        // Rows from the top: truth 0 on the first row.
        cells.add(new Number[] {p, n - 1 - truth, Math.round(share * 100) / 100.0});
      }
    }
    List<String> rows = new ArrayList<>(names);
    java.util.Collections.reverse(rows);
    int size = Math.max(520, 70 * n + 220);
    HeatMapChart chart =
        new HeatMapChartBuilder()
            .width(size + 120)
            .height(size)
            .title("Confusion (rows: ground truth, columns: prediction; share of the row's pixels)")
            .build();
    chart.getStyler().setShowValue(n <= 20).setMin(0).setMax(1)
        .setRangeColors(new Color[] {Color.WHITE, new Color(66, 146, 198), new Color(8, 48, 107)})
        .setHeatMapValueDecimalPattern("0.00");
    chart.getStyler().setChartBackgroundColor(Color.WHITE).setLegendVisible(true);
    chart.getStyler().setXAxisLabelRotation(45);
    chart.addSeries("share", names, rows, cells);
    return BitmapEncoder.getBufferedImage(chart);
  }

  private static XYChart lineChart(String title, String yTitle) {
    XYChart chart =
        new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE).setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setXAxisDecimalPattern("0");
    return chart;
  }

  /** Adds a series over the epochs where {@code value} is known; no series if there are none. */
  private static void addSeries(
      XYChart chart, String name, List<Map<String, Object>> history,
      java.util.function.Function<Map<String, Object>, Double> value, Color colour, float width) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (Map<String, Object> record : history) {
      Double y = value.apply(record);
      Double x = number(record.get("epoch"));
      if (x != null && y != null && Double.isFinite(y)) {
        xs.add(x);
        ys.add(y);
      }
    }
    if (xs.isEmpty()) {
      return;
    }
    XYSeries series = chart.addSeries(name, xs, ys);
    series.setLineColor(colour);
    series.setMarkerColor(colour);
    series.setLineWidth(width);
    series.setMarker(xs.size() > 30 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
  }

  private static Double scalar(Map<String, Object> record, String metric, String key) {
    if (record.get("metrics") instanceof Map<?, ?> metrics && metrics.get(metric) instanceof Map<?, ?> m) {
      return number(m.get(key));
    }
    return null;
  }

  private static Double number(Object value) {
    return value instanceof Number n ? n.doubleValue() : null;
  }
}
