package io.pixelwise.api.metric;

/** Accumulates statistics over batches of predictions; not thread-safe. */
public interface Metric {

  void reset();

  void update(PredictionBatch batch);

  MetricResult result();

  /**
   * Whether {@link #update} needs {@link PredictionBatch#probabilities()} (confidence-based metrics
   * such as precision-recall curves); fetching them costs a copy of the softmax, so only on request.
   */
  default boolean needsProbabilities() {
    return false;
  }
}
