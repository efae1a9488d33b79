package io.pixelwise.metrics;

import io.pixelwise.api.plugin.PixelwisePlugin;

/** Registers the built-in metrics. */
public final class MetricsPlugin extends PixelwisePlugin {
  @Override
  protected void register() {
    metric("confusion", (options, classes) -> new ConfusionMetric(classes));
    metric("kitti-road", (options, classes) ->
        new KittiRoadMetric(classes, options.getString("positive-class"), options.getBoolean("by-category")));
  }
}
