package io.pixelwise.runner.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.SegmentationClass;
import io.pixelwise.runner.plugins.PluginRegistry;
import java.util.List;

/** Small segmentation graphs over the real plugins, for tests of any runner package. */
public final class TestModels {
  /** Two classes, id 255 ignored. */
  public static final ClassInfo TWO =
      new ClassInfo(List.of(SegmentationClass.of("dark", 0, 0, 0), SegmentationClass.of("bright", 255, 255, 255)), 255, 0);

  private static final PluginRegistry PLUGINS = PluginRegistry.load();
  private static final Config REFERENCE = ConfigFactory.defaultReference();

  private TestModels() {}

  /**
   * A graph of the named backbone and head, their defaults overridden by the given HOCON, for RGB
   * input normalised around 128, weight decay 1e-4 and Adam.
   */
  public static SegmentationGraph model(String backbone, String backboneOptions, String head, String headOptions, long seed) {
    return new SegmentationGraph(
        new SegmentationGraph.Spec(
            PLUGINS.backbone(backbone).create(options("backbones." + backbone, backboneOptions)),
            PLUGINS.head(head).create(options("heads." + head, headOptions)),
            SegmentationGraphTest.loss("cross-entropy", false),
            TWO,
            false,
            3,
            new float[] {128, 128, 128},
            new float[] {64, 64, 64},
            1e-4f,
            new Optimizer.Adam(0.9f, 0.999f, 1e-8f),
            seed));
  }

  private static Config options(String section, String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(REFERENCE.getConfig(section));
  }
}
