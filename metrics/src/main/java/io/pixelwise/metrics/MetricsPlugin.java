package io.pixelwise.metrics;

import io.pixelwise.api.plugin.PixelwisePlugin;

/** Registers the built-in metrics. */
public final class MetricsPlugin extends PixelwisePlugin {

  private static java.util.Map<String, java.util.List<String>> groups(com.typesafe.config.Config groups) {
    java.util.Map<String, java.util.List<String>> out = new java.util.TreeMap<>();
    for (String group : groups.root().keySet()) {
      out.put(group, groups.getStringList(com.typesafe.config.ConfigUtil.quoteString(group)));
    }
    return out;
  }
  @Override
  protected void register() {
    metric("confusion", (options, classes) -> new ConfusionMetric(classes, groups(options.getConfig("groups"))));
    metric("kitti-road", (options, classes) ->
        new KittiRoadMetric(classes, options.getString("positive-class"), options.getBoolean("by-category")));
  }
}
