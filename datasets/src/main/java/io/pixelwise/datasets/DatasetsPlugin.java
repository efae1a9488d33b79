package io.pixelwise.datasets;

import io.pixelwise.api.plugin.PixelwisePlugin;
import io.pixelwise.datasets.synthetic.SyntheticStreets;

/** Registers the built-in datasets. */
public final class DatasetsPlugin extends PixelwisePlugin {
  @Override
  protected void register() {
    dataset("synthetic-streets", SyntheticStreets::fromConfig);
  }
}
