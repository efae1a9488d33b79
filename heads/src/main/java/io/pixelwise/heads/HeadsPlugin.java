package io.pixelwise.heads;

import io.pixelwise.api.plugin.PixelwisePlugin;

/** Registers the built-in heads. */
public final class HeadsPlugin extends PixelwisePlugin {
  @Override
  protected void register() {
    head("bilinear", BilinearHead::fromConfig);
    // One decoder, three defaults (heads.fcn32/16/8 differ in their endpoints).
    head("fcn32", options -> FcnHead.fromConfig("heads.fcn32", options));
    head("fcn16", options -> FcnHead.fromConfig("heads.fcn16", options));
    head("fcn8", options -> FcnHead.fromConfig("heads.fcn8", options));
    head("unet-skip", UnetSkipHead::fromConfig);
  }
}
