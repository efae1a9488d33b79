package io.pixelwise.api.model;

import com.typesafe.config.Config;

/** Creates a head from its options: the {@code heads.<name>} defaults merged with the experiment's. */
@FunctionalInterface
public interface HeadFactory {
  Head create(Config options);
}
