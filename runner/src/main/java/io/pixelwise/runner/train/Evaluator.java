package io.pixelwise.runner.train;

import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.metric.Metric;
import io.pixelwise.api.metric.MetricResult;
import io.pixelwise.api.metric.PredictionBatch;
import io.pixelwise.engine.input.Batch;
import io.pixelwise.engine.input.BatchLoader;
import io.pixelwise.engine.ModelSession;
import io.pixelwise.engine.output.Progress;
import io.pixelwise.runner.report.SampleGrid;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/** One pass over a labelled split: mean loss and every metric. */
public final class Evaluator {

  /** Mean data loss (per image), images per second, and each metric's result by name. */
  public record Evaluation(
      double loss, double imagesPerSecond, Map<String, MetricResult> metrics, List<SampleGrid.Row> samples) {

    /** A scalar by {@code <metric>.<scalar>}, e.g. {@code confusion.miou}. */
    public double scalar(String key) {
      int dot = key.indexOf('.');
      MetricResult r = dot < 0 ? null : metrics.get(key.substring(0, dot));
      Double v = r == null ? null : r.scalars().get(key.substring(dot + 1));
      if (v == null) {
        throw new IllegalArgumentException(
            "train.best-by: no scalar '" + key + "'; available: " + available());
      }
      return v;
    }

    private String available() {
      StringBuilder sb = new StringBuilder();
      metrics.forEach((m, r) -> r.scalars().keySet().forEach(s -> sb.append(sb.length() > 0 ? ", " : "").append(m).append('.').append(s)));
      return sb.toString();
    }
  }

  private Evaluator() {}

  public static Evaluation run(
      ModelSession session,
      SampleSource source,
      BatchLoader.Options options,
      Map<String, Metric> metrics,
      ExecutorService workers,
      String task) {
    return run(session, source, options, metrics, workers, task, 0);
  }

  /** As above, also keeping the first {@code keepSamples} images with labels and predictions. */
  public static Evaluation run(
      ModelSession session,
      SampleSource source,
      BatchLoader.Options options,
      Map<String, Metric> metrics,
      ExecutorService workers,
      String task,
      int keepSamples) {
    List<SampleGrid.Row> samples = new ArrayList<>();
    metrics.values().forEach(Metric::reset);
    double lossSum = 0;
    long images = 0;
    long start = System.nanoTime();
    byte[] predictions = null;
    float[] probabilities = null;
    boolean wantProbabilities = metrics.values().stream().anyMatch(Metric::needsProbabilities);
    try (BatchLoader loader = new BatchLoader(source, options, workers);
        Progress progress = Progress.start(task, source.size())) {
      while (loader.hasNext()) {
        try (Batch b = loader.next()) {
        if (predictions == null || predictions.length < b.pixels()) {
          predictions = new byte[b.pixels()];
        }
        if (wantProbabilities && (probabilities == null || probabilities.length < b.pixels() * session.classCount())) {
          probabilities = new float[b.pixels() * session.classCount()];
        }
        float loss = session.evaluate(b, predictions, wantProbabilities ? probabilities : null);
        lossSum += (double) loss * b.count();
        images += b.count();
        keep(b, predictions, samples, keepSamples);
        PredictionBatch pb = new PredictionBatch(
            b.count(), b.height(), b.width(), b.labels(), predictions, wantProbabilities ? probabilities : null, b.ids());
        for (Metric m : metrics.values()) {
          m.update(pb);
        }
        progress.step(b.count(), String.format("loss %.4f", lossSum / images));
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, MetricResult> results = new LinkedHashMap<>();
    metrics.forEach((name, m) -> results.put(name, m.result()));
    return new Evaluation(
        images == 0 ? Double.NaN : lossSum / images, images / Math.max(seconds, 1e-9), results, List.copyOf(samples));
  }

  private static void keep(Batch b, byte[] predictions, List<SampleGrid.Row> samples, int limit) {
    int pixels = b.height() * b.width();
    int imageBytes = pixels * b.channels();
    for (int i = 0; i < b.count() && samples.size() < limit; i++) {
      samples.add(
          new SampleGrid.Row(
              b.ids().get(i), b.width(), b.height(), b.channels(),
              Arrays.copyOfRange(b.images(), i * imageBytes, (i + 1) * imageBytes),
              Arrays.copyOfRange(b.labels(), i * pixels, (i + 1) * pixels),
              Arrays.copyOfRange(predictions, i * pixels, (i + 1) * pixels)));
    }
  }
}
