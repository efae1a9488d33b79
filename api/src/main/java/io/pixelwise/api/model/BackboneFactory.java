package io.pixelwise.api.model;

import com.typesafe.config.Config;

/** Creates a backbone from its options: the {@code backbones.<name>} defaults merged with the experiment's. */
@FunctionalInterface
public interface BackboneFactory {
  Backbone create(Config options);
}
