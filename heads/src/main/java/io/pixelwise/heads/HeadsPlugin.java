package io.pixelwise.heads;

import io.pixelwise.api.plugin.PixelwisePlugin;

/** Registers the built-in heads. */
public final class HeadsPlugin extends PixelwisePlugin {
  @Override
  protected void register() {
    head("bilinear", BilinearHead::fromConfig);
  }
}
