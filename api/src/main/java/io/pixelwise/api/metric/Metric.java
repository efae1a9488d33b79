package io.pixelwise.api.metric;

/** Accumulates statistics over batches of predictions; not thread-safe. */
public interface Metric {

  void reset();

  void update(PredictionBatch batch);

  MetricResult result();
}
