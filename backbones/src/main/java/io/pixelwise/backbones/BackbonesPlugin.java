package io.pixelwise.backbones;

import io.pixelwise.api.plugin.PixelwisePlugin;

/** Registers the built-in backbones. */
public final class BackbonesPlugin extends PixelwisePlugin {
  @Override
  protected void register() {
    backbone("simple-conv", SimpleConvBackbone::fromConfig);
    backbone("vgg16", Vgg16Backbone::fromConfig);
  }
}
