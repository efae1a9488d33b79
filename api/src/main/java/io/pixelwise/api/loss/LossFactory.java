package io.pixelwise.api.loss;

import com.typesafe.config.Config;

/** Creates a loss from its options: the {@code losses.<name>} defaults merged with the experiment's. */
@FunctionalInterface
public interface LossFactory {
  Loss create(Config options);
}
