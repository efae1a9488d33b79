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
    dataset("cityscapes-7", (options, size) -> new Cityscapes(Path.of(options.getString("root")), true, size));
    dataset("cityscapes-19", (options, size) -> new Cityscapes(Path.of(options.getString("root")), false, size));
    dataset("kitti-road", KittiRoad::fromConfig);
    dataset("camvid", CamVid::fromConfig);
    dataset("folder", FolderDataset::fromConfig);
  }
}
