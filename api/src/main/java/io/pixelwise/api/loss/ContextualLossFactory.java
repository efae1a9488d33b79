package io.pixelwise.api.loss;

import com.typesafe.config.Config;

/**
 * A loss factory that gets the run's {@link LossContext} (since api 1.1): the label set, whether
 * the model is binary (sigmoid), and the train split's class frequencies on demand. Register it
 * like any loss factory, {@code loss("name", (options, context) -> ...)}. The runner calls the
 * factory before any work, so check the options here and fail with a message that names the
 * option, its value and what was expected.
 */
@FunctionalInterface
public interface ContextualLossFactory extends LossFactory {

  @Override
  Loss create(Config options, LossContext context);

  /** Not available: this loss needs its context. */
  @Override
  default Loss create(Config options) {
    throw new UnsupportedOperationException("this loss needs a LossContext: call create(options, context)");
  }
}
