package io.pixelwise.api.data;

/**
 * An 8-bit image, pixels interleaved row by row (HWC).
 *
 * @param channels 1 (grey) or 3 (RGB)
 */
public record RasterImage(int width, int height, int channels, byte[] pixels) {

  public RasterImage {
    if (width <= 0 || height <= 0 || (channels != 1 && channels != 3)) {
      throw new IllegalArgumentException(
          "image must be non-empty with 1 or 3 channels, got " + width + "x" + height + "x" + channels);
    }
    if (pixels.length != (long) width * height * channels) {
      throw new IllegalArgumentException(
          "pixel buffer holds " + pixels.length + " bytes, expected " + (long) width * height * channels);
    }
  }
}
