package io.pixelwise.api.model;

import com.typesafe.config.Config;
import java.util.Optional;

/** Creates a backbone from its options: the {@code backbones.<name>} defaults merged with the experiment's. */
@FunctionalInterface
public interface BackboneFactory {
  Backbone create(Config options);

  /**
   * Whether the backbone built from {@code options} prefers oneDNN CPU kernels (since api 1.2),
   * consulted when {@code runtime.onednn = auto}. TensorFlow reads this setting once, when its
   * native library loads, so the runner asks before any graph exists: answer from the options
   * alone, without TensorFlow calls. Empty, the default, means no preference (the runner's default
   * applies).
   */
  default Optional<OneDnnPreference> onednn(Config options) {
    return Optional.empty();
  }
}
