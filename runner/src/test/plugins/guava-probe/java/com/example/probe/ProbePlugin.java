package com.example.probe;

import io.pixelwise.api.plugin.PixelwisePlugin;

public final class ProbePlugin extends PixelwisePlugin {
  @Override
  protected void register() {
    backbone("guava-probe", ProbeBackbone::new);
  }
}
