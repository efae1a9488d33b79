package io.pixelwise.losses;

import io.pixelwise.api.plugin.PixelwisePlugin;

/** Registers the built-in losses. */
public final class LossesPlugin extends PixelwisePlugin {
  @Override
  protected void register() {
    loss(CrossEntropyLoss.NAME, CrossEntropyLoss::create);
    loss(FocalLoss.NAME, FocalLoss::create);
    loss(DiceLoss.NAME, DiceLoss::create);
    loss(LovaszSoftmaxLoss.NAME, LovaszSoftmaxLoss::create);
    loss(OhemCrossEntropyLoss.NAME, OhemCrossEntropyLoss::create);
  }
}
