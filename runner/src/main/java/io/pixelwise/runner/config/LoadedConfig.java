package io.pixelwise.runner.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import io.pixelwise.api.plugin.ComponentKind;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A validated experiment: the user's settings over every default, resolved. */
public final class LoadedConfig {
  private final Config config;

  private LoadedConfig(Config config) {
    this.config = config;
  }

  /**
   * Validates {@code user} against {@code reference} and merges them.
   *
   * @throws ConfigProblemsException listing every problem
   */
  public static LoadedConfig of(Config user, Config reference, Map<ComponentKind, Set<String>> knownNames) {
    return new LoadedConfig(ConfigValidator.validate(user, reference, knownNames));
  }

  /** The merged, resolved config: every key has a value. */
  public Config config() {
    return config;
  }

  /** The choice at a slot of {@link ComponentSpecs#SLOTS} that takes one component. */
  public ComponentSpec spec(String path) {
    SpecSlot slot = slot(path);
    return ComponentSpecs.single(config, slot.kind(), path);
  }

  /** The choices at a slot of {@link ComponentSpecs#SLOTS}, in config order. */
  public List<ComponentSpec> specs(String path) {
    SpecSlot slot = slot(path);
    return ComponentSpecs.list(config, slot.kind(), path);
  }

  /**
   * The config as HOCON, without comments: what a run folder keeps. Loaded back as an experiment
   * file it validates and gives the same config.
   */
  public String render() {
    return config.root().render(
        ConfigRenderOptions.defaults().setOriginComments(false).setComments(false).setJson(false));
  }

  private static SpecSlot slot(String path) {
    return ComponentSpecs.slot(path)
        .orElseThrow(() -> new IllegalArgumentException("no component is chosen at '" + path + "'"));
  }
}
