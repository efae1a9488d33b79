package io.pixelwise.losses;

import io.pixelwise.api.plugin.PixelwisePlugin;

/** Registers the built-in losses. */
public final class LossesPlugin extends PixelwisePlugin {
  @Override
  protected void register() {
    loss("cross-entropy", (options, context) -> new CrossEntropyLoss());
  }
}
