package io.pixelwise.api.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * How datasets read image files: the runner hands one to every dataset factory in its {@link
 * DatasetContext}, configured by {@code data.max-image-pixels} and {@code data.libdeflate}. Reading
 * through it, rather than with a decoder of the dataset's own, gives the training, evaluation and
 * predict pipelines the same pixels for the same file. Every method fails with the file's name if
 * the file is missing, unreadable, truncated or larger than the pixel limit (checked on the header,
 * before any pixel is decoded). Safe to call from several loader threads at once.
 *
 * @since api 2.0 (replaces the static {@code io.pixelwise.api.data.ImageFiles} of 1.x)
 */
public interface ImageReader {

  /** Decodes an image file as stored (ImageIO: PNG and JPEG; any other format its plugins add). */
  BufferedImage read(Path file) throws IOException;

  /**
   * Decodes an image file (PNG, JPEG, GIF or BMP) and resizes it to {@code size}: bilinear with
   * half-pixel centres, or an area average when shrinking by 2x or more in both directions. Alpha
   * is dropped.
   *
   * @param size the size to return; null keeps the stored size
   * @param rgb true for 3 channels whatever the file stores (grey is replicated); false for the
   *     file's own: 1 for grey, 3 for colour
   */
  Decoded readResized(Path file, InputSize size, boolean rgb) throws IOException;

  /**
   * A label image's samples as stored: the ids of a grey PNG, the palette indices of an indexed
   * one (never the palette's colours), the first band of anything else.
   */
  Samples readSamples(Path file) throws IOException;

  /**
   * The first band's raw sample values of a decoded image, row-major: the ids of a grey-level label
   * PNG, or the palette indices of an indexed one (never the palette's colours).
   */
  int[] samples(BufferedImage image);

  /**
   * The stored grey levels of a non-palette grey image (band 0), scaled to 0..255 from its bit
   * depth (16-bit 65535 is 255), not gamma-converted as {@code getRGB} would.
   */
  int[] greyLevels(BufferedImage image);

  /**
   * An image as the model is fed it, and the size it is stored at (to check that its label matches).
   *
   * @param storedWidth width of the image in the file, before resizing
   * @param storedHeight height of the image in the file, before resizing
   */
  record Decoded(RasterImage image, int storedWidth, int storedHeight) {
    public Decoded {
      if (image == null || storedWidth <= 0 || storedHeight <= 0) {
        throw new IllegalArgumentException(
            "a decoded image needs its pixels and a stored size, got " + image + " stored " + storedWidth + "x" + storedHeight);
      }
    }
  }

  /**
   * Label samples, row-major: 8-bit ones kept as bytes (a Cityscapes label is 2 million of them),
   * wider ones as ints.
   */
  final class Samples {
    private final int width;
    private final int height;
    private final byte[] bytes; // 8-bit samples, or
    private final int[] ints; // anything wider

    private Samples(int width, int height, byte[] bytes, int[] ints) {
      int length = bytes != null ? bytes.length : ints.length;
      if (width <= 0 || height <= 0 || length != (long) width * height) {
        throw new IllegalArgumentException(
            "samples of a " + width + "x" + height + " image must be " + (long) width * height + ", got " + length);
      }
      this.width = width;
      this.height = height;
      this.bytes = bytes;
      this.ints = ints;
    }

    /** 8-bit samples, each read unsigned; the array is kept, not copied. */
    public static Samples ofBytes(int width, int height, byte[] samples) {
      return new Samples(width, height, java.util.Objects.requireNonNull(samples), null);
    }

    /** Samples of any width; the array is kept, not copied. */
    public static Samples ofInts(int width, int height, int[] samples) {
      return new Samples(width, height, null, java.util.Objects.requireNonNull(samples));
    }

    public int width() {
      return width;
    }

    public int height() {
      return height;
    }

    /** The sample of pixel {@code i} in row-major order. */
    public int get(int i) {
      return bytes != null ? bytes[i] & 0xff : ints[i];
    }

    /** Every sample, row-major, in a new array. */
    public int[] toArray() {
      if (ints != null) {
        return ints.clone();
      }
      int[] out = new int[bytes.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = bytes[i] & 0xff;
      }
      return out;
    }
  }
}
