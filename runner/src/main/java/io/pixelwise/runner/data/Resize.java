package io.pixelwise.runner.data;

import io.pixelwise.api.data.ImageFiles;
import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.data.RasterImage;

/**
 * Resizing images on the host, for samples whose size differs from the model's input (labels:
 * {@link LabelMap#resized}, nearest neighbour), augmentation windows and predicted maps: the
 * TensorFlow kernels datasets decode with ({@link ImageFiles#resize}), so that every path that
 * resizes an image gives the bytes the training input has. (A hand-written Java resize here had
 * whole-pixel area boxes and differed from them for ratios that are not whole numbers, e.g. KITTI's
 * 1242x375 to 576x160.)
 */
public final class Resize {
  private Resize() {}

  public static RasterImage image(RasterImage src, int width, int height) {
    return ImageFiles.resize(src, width, height);
  }
}
