package com.example.resnetlite;

import io.pixelwise.api.plugin.PixelwisePlugin;

/**
 * Registers the {@code resnet-lite} backbone. Listed in
 * {@code META-INF/services/io.pixelwise.api.plugin.PixelwisePlugin}, which is how Pixelwise finds
 * it; its defaults are in this jar's {@code reference.conf} under {@code backbones.resnet-lite}.
 */
public final class ResNetLitePlugin extends PixelwisePlugin {
  @Override
  protected void register() {
    backbone("resnet-lite", ResNetLiteBackbone::fromConfig);
  }
}
