package io.pixelwise.api.metric;

import java.util.Map;

/**
 * What a metric reports after a pass over a split.
 *
 * @param scalars named numbers, e.g. {@code miou}; the runner logs them, plots them and may select
 *     checkpoints by them
 * @param details JSON-friendly structure (numbers, strings, lists, maps) written to metrics.json
 * @param report a human-readable table for the console and log
 */
public record MetricResult(Map<String, Double> scalars, Map<String, Object> details, String report) {

  public MetricResult {
    scalars = Map.copyOf(scalars);
    details = Map.copyOf(details);
  }
}
