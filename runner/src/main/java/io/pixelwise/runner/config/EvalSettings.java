package io.pixelwise.runner.config;

import java.util.List;

/** {@code eval}: the evaluation batch and the metrics, in config order. */
public record EvalSettings(int batchSize, List<ComponentSpec> metrics) {
  public EvalSettings {
    metrics = List.copyOf(metrics);
  }
}
