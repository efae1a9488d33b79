package io.pixelwise.imaging;

import io.pixelwise.api.data.RasterImage;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/** The pixels of images ImageIO decoded, read without Java's colour conversions where they would change them. */
final class Pixels {
  private Pixels() {}

  /** The image as 8-bit RGB, whatever its stored type (palette, grey, 16-bit, with alpha). */
  static RasterImage rgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    if ((image.getType() == BufferedImage.TYPE_3BYTE_BGR || image.getType() == BufferedImage.TYPE_4BYTE_ABGR)
        && image.getRaster().getDataBuffer() instanceof java.awt.image.DataBufferByte buffer
        && buffer.getNumBanks() == 1
        && image.getRaster().getSampleModel() instanceof java.awt.image.PixelInterleavedSampleModel model
        && model.getScanlineStride() == w * model.getPixelStride()
        && image.getRaster().getSampleModelTranslateX() == 0
        && image.getRaster().getSampleModelTranslateY() == 0) {
      // What 8-bit RGB(A) PNGs and JPEGs decode to: reorder the bytes directly, far faster than
      // getRGB's per-pixel colour-model conversion (docs/performance.md, "Measurements behind the code").
      byte[] src = buffer.getData();
      int stride = model.getPixelStride();
      int[] offsets = model.getBandOffsets(); // R, G, B(, A) positions within a pixel
      byte[] pixels = new byte[w * h * 3];
      for (int i = 0, s = 0; i < w * h; i++, s += stride) {
        pixels[3 * i] = src[s + offsets[0]];
        pixels[3 * i + 1] = src[s + offsets[1]];
        pixels[3 * i + 2] = src[s + offsets[2]];
      }
      return new RasterImage(w, h, 3, pixels);
    }
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    byte[] pixels = new byte[w * h * 3];
    for (int i = 0; i < argb.length; i++) {
      pixels[3 * i] = (byte) (argb[i] >> 16);
      pixels[3 * i + 1] = (byte) (argb[i] >> 8);
      pixels[3 * i + 2] = (byte) argb[i];
    }
    return new RasterImage(w, h, 3, pixels);
  }

  /**
   * The image as 8-bit pixels in its own channel count: 1 for grey (including grey palettes, as
   * ImageIO reads 1-, 2- and 4-bit grey PNGs), 3 for colour; alpha is dropped. Grey levels are the
   * stored values scaled to 8 bits, not {@code getRGB}'s: Java treats PNG grey as linear and
   * brightens it on the way to sRGB (a stored 128 reads as 188).
   */
  static RasterImage pixels(BufferedImage image) {
    ColorModel model = image.getColorModel();
    int w = image.getWidth();
    int h = image.getHeight();
    if (model instanceof IndexColorModel palette) {
      int[] colours = new int[palette.getMapSize()];
      palette.getRGBs(colours);
      boolean grey = true;
      for (int c : colours) {
        grey &= ((c >> 16) & 0xff) == (c & 0xff) && ((c >> 8) & 0xff) == (c & 0xff);
      }
      if (!grey) {
        return rgb(image);
      }
      int[] index = samples(image);
      byte[] pixels = new byte[w * h];
      for (int i = 0; i < index.length; i++) {
        // An index past the palette is black, as libpng shows it.
        pixels[i] = index[i] < colours.length ? (byte) colours[index[i]] : 0;
      }
      return new RasterImage(w, h, 1, pixels);
    }
    if (model.getNumColorComponents() != 1) {
      return rgb(image);
    }
    int[] levels = greyLevels(image);
    byte[] pixels = new byte[w * h];
    for (int i = 0; i < levels.length; i++) {
      pixels[i] = (byte) levels[i];
    }
    return new RasterImage(w, h, 1, pixels);
  }

  /**
   * The stored grey levels of a non-palette grey image (band 0), scaled to 0..255 from its bit
   * depth (16-bit 65535 is 255).
   */
  static int[] greyLevels(BufferedImage image) {
    int bits = image.getSampleModel().getSampleSize(0);
    int max = (1 << bits) - 1;
    int[] levels = samples(image);
    if (bits != 8) {
      for (int i = 0; i < levels.length; i++) {
        levels[i] = (int) ((levels[i] * 255L + max / 2) / max);
      }
    }
    return levels;
  }

  /**
   * The first band's raw sample values: the ids of a grey-level label PNG, or the palette indices of
   * an indexed one (never the palette's colours).
   */
  static int[] samples(BufferedImage image) {
    Raster raster = image.getRaster();
    int w = raster.getWidth();
    int h = raster.getHeight();
    if (raster.getDataBuffer() instanceof java.awt.image.DataBufferByte buffer
        && buffer.getNumBanks() == 1
        && raster.getSampleModel() instanceof java.awt.image.PixelInterleavedSampleModel model
        && model.getPixelStride() == 1 && model.getScanlineStride() == w && model.getSampleSize(0) == 8
        && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0) {
      // 8-bit grey and palette label PNGs: read the bytes, not sample by sample.
      byte[] src = buffer.getData();
      int[] out = new int[w * h];
      for (int i = 0; i < out.length; i++) {
        out[i] = src[i] & 0xff;
      }
      return out;
    }
    return raster.getSamples(0, 0, raster.getWidth(), raster.getHeight(), 0, (int[]) null);
  }
}
