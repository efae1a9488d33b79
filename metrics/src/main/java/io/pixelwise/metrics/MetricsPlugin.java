package io.pixelwise.metrics;

import io.pixelwise.api.plugin.PixelwisePlugin;

/** Registers the built-in metrics. */
public final class MetricsPlugin extends PixelwisePlugin {
  @Override
  protected void register() {
    metric("confusion", (options, classes) -> new ConfusionMetric(classes));
  }
}
