package io.pixelwise.api.loss;

import com.typesafe.config.Config;

/**
 * Creates a loss from its options: the {@code losses.<name>} defaults merged with the experiment's.
 * A loss that needs the label set, the model's output kind or the train split's class
 * frequencies registers a {@link ContextualLossFactory} instead (api 1.1).
 */
@FunctionalInterface
public interface LossFactory {
  Loss create(Config options);

  /**
   * What the runner calls (since api 1.1). This default ignores the context, which suits losses
   * written for api 1.0: they take one logit per class, so a binary (sigmoid) model is refused.
   *
   * @throws IllegalArgumentException if {@code context.binary()}
   */
  default Loss create(Config options, LossContext context) {
    if (context.binary()) {
      throw new IllegalArgumentException(
          "this loss takes one logit per class (its factory is an api 1.0 LossFactory, not a"
              + " ContextualLossFactory), so it cannot train a binary model; use model.output = softmax");
    }
    return create(options);
  }
}
