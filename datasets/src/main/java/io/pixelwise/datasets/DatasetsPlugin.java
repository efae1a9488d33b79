package io.pixelwise.datasets;

import io.pixelwise.api.plugin.PixelwisePlugin;
import io.pixelwise.datasets.camvid.CamVid;
import io.pixelwise.datasets.cityscapes.Cityscapes;
import io.pixelwise.datasets.folder.FolderDataset;
import io.pixelwise.datasets.kitti.KittiRoad;
import io.pixelwise.datasets.synthetic.SyntheticStreets;
import java.nio.file.Path;

/** Registers the built-in datasets. */
public final class DatasetsPlugin extends PixelwisePlugin {
  @Override
  protected void register() {
    dataset("synthetic-streets", SyntheticStreets::fromConfig);
    dataset("cityscapes-7", c -> new Cityscapes(Path.of(c.options().getString("root")), true, c.size(), c.images()));
    dataset("cityscapes-19", c -> new Cityscapes(Path.of(c.options().getString("root")), false, c.size(), c.images()));
    dataset("kitti-road", KittiRoad::fromConfig);
    dataset("camvid", CamVid::fromConfig);
    dataset("folder", FolderDataset::fromConfig);
  }
}
