package com.example.probe;

import com.google.common.base.Strings;
import com.typesafe.config.Config;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.Layers;
import io.pixelwise.api.model.Backbone;
import io.pixelwise.api.model.Endpoint;
import io.pixelwise.api.model.Features;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Two strided convolutions; creating it calls a Guava method that only the bundled Guava has. */
public final class ProbeBackbone implements Backbone {
  private static final Logger LOG = LoggerFactory.getLogger(ProbeBackbone.class);
  private final int width;

  public ProbeBackbone(Config options) {
    // With the runner's Guava this is a NoSuchMethodError.
    String guava = Strings.bundledVersion();
    LOG.info("guava-probe uses Guava {} ({})", guava, Strings.repeat("ok", 2));
    this.width = options.getInt("width");
  }

  /** The Guava version this plugin's classes link against. */
  public static String guava() {
    return Strings.bundledVersion();
  }

  @Override
  public Features build(GraphContext ctx, Operand<TFloat32> images) {
    Operand<TFloat32> x = Layers.conv2d(ctx, "conv1", images, width, 3, 2, true);
    Operand<TFloat32> y = Layers.conv2d(ctx, "conv2", x, width, 3, 2, true);
    return new Features(images, List.of(new Endpoint("conv1", x, 2, width), new Endpoint("conv2", y, 4, width)));
  }
}
