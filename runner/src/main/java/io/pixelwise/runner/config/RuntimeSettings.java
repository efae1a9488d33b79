package io.pixelwise.runner.config;

import com.typesafe.config.Config;
import io.pixelwise.engine.Device;
import io.pixelwise.engine.Devices;
import io.pixelwise.engine.EngineOptions;
import io.pixelwise.engine.LossScale;
import io.pixelwise.engine.Precision;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.proto.RewriterConfig;

/**
 * {@code runtime}: how TensorFlow runs the graph.
 *
 * @param onednn {@code runtime.onednn}: auto, on or off; {@code auto} is resolved with the
 *     backbone's preference ({@link io.pixelwise.engine.OneDnnChoice})
 * @param lossScale {@code runtime.loss-scale}, checked whatever the precision so that a bad value
 *     never waits for a float16 run to show; used only where the precision scales the loss
 */
public record RuntimeSettings(EngineOptions engine, String onednn, LossScale lossScale) {

  public static RuntimeSettings from(Config c) {
    // Every pass named, known or not: EngineOptions refuses an unknown one, listing the known.
    Map<String, RewriterConfig.Toggle> passes = new LinkedHashMap<>();
    Config g = c.getConfig("runtime.graph-optimizations");
    for (String pass : g.root().keySet()) {
      passes.put(pass, toggle("runtime.graph-optimizations." + pass, g.getString(pass)));
    }
    String onednn = c.getString("runtime.onednn").toLowerCase(Locale.ROOT);
    if (!onednn.equals("auto") && !onednn.equals("on") && !onednn.equals("off")) {
      throw new IllegalArgumentException("runtime.onednn: expected auto, on or off, got '" + onednn + "'");
    }
    EngineOptions engine = new EngineOptions(
        Device.parse(c.getString("runtime.device")),
        Devices.parse("runtime.devices", c.getStringList("runtime.devices")),
        c.getInt("runtime.intra-op-threads"),
        c.getInt("runtime.inter-op-threads"),
        Read.onOff("runtime.xla", c.getString("runtime.xla")),
        passes,
        Precision.parse(c.getString("runtime.precision")),
        Read.onOff("runtime.huge-pages", c.getString("runtime.huge-pages")));
    LossScale scale = new LossScale(
        (float) c.getDouble("runtime.loss-scale.initial"), c.getInt("runtime.loss-scale.growth-steps"));
    return new RuntimeSettings(engine, onednn, scale);
  }

  /** The loss scale of a training step, or null where the precision does not scale the loss. */
  public LossScale trainingLossScale() {
    return engine.precision().scalesLoss() ? lossScale : null;
  }

  private static RewriterConfig.Toggle toggle(String key, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "default" -> RewriterConfig.Toggle.DEFAULT;
      case "on" -> RewriterConfig.Toggle.ON;
      case "off" -> RewriterConfig.Toggle.OFF;
      default -> throw new IllegalArgumentException(key + ": expected default, on or off, got '" + value + "'");
    };
  }
}
