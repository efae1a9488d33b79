package io.pixelwise.api.data;

import com.typesafe.config.Config;

/** Creates a dataset from its options: the {@code datasets.<name>} defaults merged with the experiment's. */
@FunctionalInterface
public interface DatasetFactory {

  /**
   * @param size the size the input pipeline feeds the model; datasets that synthesise images
   *     generate at this size, datasets read from disk may ignore it
   */
  Dataset create(Config options, InputSize size);
}
