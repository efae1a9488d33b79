package io.pixelwise.imaging;

import io.pixelwise.api.data.ImageReader;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.RasterImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;

/**
 * The runner's {@link ImageReader}: reads dataset images through ImageIO (PNG and JPEG built in;
 * TwelveMonkeys plugins, when on the class path, are picked up automatically), TensorFlow's
 * decoders and resize kernels, and libdeflate for 8-bit PNGs where the system has it; turns every
 * failure into an error naming the file. Its options are fixed at construction; instances share
 * only per-thread scratch buffers and the decoders' TensorFlow session.
 */
public final class ImageDecoding implements ImageReader {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ImageDecoding.class);
  /** The default of {@code data.max-image-pixels}. */
  public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

  private final long maxPixels;
  private final boolean useLibdeflate;
  /** Whether the PNG decoder in use has been logged. */
  private final java.util.concurrent.atomic.AtomicBoolean told = new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * @param maxPixels the largest image (width x height) decoded ({@code data.max-image-pixels}):
   *     a decompression bomb is refused on its header
   * @param libdeflate whether 8-bit PNGs are decoded with libdeflate where the system has it
   *     ({@code data.libdeflate}); off, every file goes through TensorFlow's libpng or ImageIO
   */
  public ImageDecoding(long maxPixels, boolean libdeflate) {
    if (maxPixels <= 0) {
      throw new IllegalArgumentException("data.max-image-pixels must be positive, got " + maxPixels);
    }
    this.maxPixels = maxPixels;
    this.useLibdeflate = libdeflate;
  }

  /** The defaults: {@link #DEFAULT_MAX_PIXELS}, libdeflate where found. */
  public ImageDecoding() {
    this(DEFAULT_MAX_PIXELS, true);
  }

  @Override
  public BufferedImage read(Path file) throws IOException {
    return decode(file, readBytes(file));
  }

  /** ImageIO's decoding of a file's bytes, every failure named with the file. */
  private BufferedImage decode(Path file, byte[] bytes) throws IOException {
    try (ImageInputStream stream = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
      javax.imageio.ImageReader reader = checkedReader(file, stream);
      try {
        return reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).startsWith(file.toString())) {
        throw e;
      }
      throw new IOException(file + ": cannot decode image (corrupt or truncated?): " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IOException(file + ": cannot decode image (corrupt or truncated?): " + e, e);
    }
  }

  private static byte[] readBytes(Path file) throws IOException {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IOException(file + ": no such file", e);
    }
  }

  /**
   * Decodes an image file (PNG, JPEG, GIF or BMP) and resizes it to {@code size} in one native
   * pass: bilinear with half-pixel centres, or an area average when shrinking by 2x or more in both
   * directions, where bilinear would alias. Alpha is dropped.
   *
   * <p>Why TensorFlow's decoder and not ImageIO: on a 2048x1024 Cityscapes frame libpng decodes and
   * area-resizes in about half the time ImageIO takes to decode alone (ImageIO then needs a
   * colour-model conversion and a Java resize on top), and the first epoch of a real dataset is
   * bound by exactly this. The header is still read by ImageIO first, so that a decompression bomb
   * is refused before any pixel is decoded.
   *
   * @param size the size to return; null keeps the stored size
   * @param rgb true for 3 channels whatever the file stores (grey is replicated); false for the
   *     file's own: 1 for grey, 3 for colour
   */
  @Override
  public Decoded readResized(Path file, InputSize size, boolean rgb) throws IOException {
    byte[] bytes = readBytes(file);
    int[] stored = header(file, bytes);
    int width = size == null ? stored[0] : size.width();
    int height = size == null ? stored[1] : size.height();
    // A frame that is resized is copied into TensorFlow and dropped: its pixels can go to the same
    // buffer next time. Allocating ~6 MB per frame instead cost a fifth of the pipeline's speed on
    // 2048x1024 PNGs (G1 allocates arrays this large outside its young generation).
    boolean resized = width != stored[0] || height != stored[1];
    FastPng.Png png = fastPng(file, bytes, resized ? PIXELS.get() : null);
    if (png != null) {
      try {
        RasterImage image = NativeDecoder.INSTANCE.resize(png.pixels(rgb), width, height);
        if (resized) {
          PIXELS.set(png.samples());
        }
        return new Decoded(image, stored[0], stored[1]);
      } catch (RuntimeException e) {
        throw new IOException(file + ": cannot resize image: " + e.getMessage(), e);
      }
    }
    try {
      return new Decoded(NativeDecoder.INSTANCE.decode(bytes, stored, width, height, rgb), stored[0], stored[1]);
    } catch (RuntimeException e) { // TensorFlow's errors (TFInvalidArgumentException, ...) and a size mismatch
      throw new IOException(file + ": cannot decode image (corrupt or truncated?): " + e.getMessage(), e);
    }
  }

  /**
   * Resizes decoded pixels with the kernels {@link #readResized} uses (bilinear with half-pixel
   * centres, or the area average when shrinking 2x or more both ways), so that an image decoded
   * first and resized after gets the same bytes as one read at its final size.
   */
  public static RasterImage resize(RasterImage image, int width, int height) {
    if (image.width() == width && image.height() == height) {
      return image;
    }
    return NativeDecoder.INSTANCE.resize(image, width, height);
  }

  /**
   * Reads a label image's {@link Samples}; fails with the file's name if it is missing, unreadable,
   * truncated or over the pixel limit. 8-bit grey and palette PNGs take the libdeflate path when it
   * is on, the rest ImageIO.
   */
  @Override
  public Samples readSamples(Path file) throws IOException {
    byte[] bytes = readBytes(file);
    int[] stored = header(file, bytes);
    FastPng.Png png = fastPng(file, bytes, null);
    if (png != null && (png.colourType() == 0 || png.colourType() == 3)) {
      return Samples.ofBytes(stored[0], stored[1], png.samples());
    }
    BufferedImage image = decode(file, bytes);
    return Samples.ofInts(image.getWidth(), image.getHeight(), Pixels.samples(image));
  }

  @Override
  public int[] samples(BufferedImage image) {
    return Pixels.samples(image);
  }

  @Override
  public int[] greyLevels(BufferedImage image) {
    return Pixels.greyLevels(image);
  }

  /** Whether libdeflate is on and was found: what decodes 8-bit PNGs. */
  public boolean libdeflateInUse() {
    return useLibdeflate && FastPng.available();
  }

  /** Per-thread scratch for the samples of a frame being resized. */
  private static final ThreadLocal<byte[]> PIXELS = new ThreadLocal<>();

  /** The file decoded by {@link FastPng}, or null where it is not a PNG that path takes. */
  private FastPng.Png fastPng(Path file, byte[] bytes, byte[] reuse) throws IOException {
    if (!told.getAndSet(true)) {
      if (libdeflateInUse()) {
        LOG.info("PNGs are decoded with libdeflate (data.libdeflate = true)");
      } else if (useLibdeflate) {
        LOG.info("libdeflate not found: PNGs are decoded with zlib, about half as fast on large files"
            + " (install libdeflate: Debian/Ubuntu package libdeflate0)");
      }
    }
    if (!libdeflateInUse()) {
      return null;
    }
    try {
      return FastPng.decode(bytes, reuse);
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + ": cannot decode image (corrupt or truncated?): " + e.getMessage(), e);
    }
  }

  /** Width and height from the file's header, checked against the pixel limit; nothing decoded. */
  private int[] header(Path file, byte[] bytes) throws IOException {
    int[] png = FastPng.size(bytes);
    if (png != null) { // a PNG's size is two fields of its first chunk: ImageIO would take longer to find it
      checkPixels(file, png[0], png[1]);
      return png;
    }
    try (ImageInputStream stream = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
      javax.imageio.ImageReader reader = checkedReader(file, stream);
      try {
        return new int[] {reader.getWidth(0), reader.getHeight(0)};
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).startsWith(file.toString())) {
        throw e;
      }
      throw new IOException(file + ": cannot read the image header (corrupt or truncated?): " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IOException(file + ": cannot read the image header (corrupt or truncated?): " + e, e);
    }
  }

  /**
   * A reader positioned on the stream's first image whose header size is within the limit,
   * checked before any pixel is decoded: a decompression bomb (a tiny file claiming a huge image)
   * must not exhaust the memory. The caller disposes of it.
   */
  private javax.imageio.ImageReader checkedReader(Path file, ImageInputStream stream) throws IOException {
    Iterator<javax.imageio.ImageReader> readers = stream == null ? null : ImageIO.getImageReaders(stream);
    if (readers == null || !readers.hasNext()) {
      throw new IOException(file + ": not an image format this build can read (PNG or JPEG expected)");
    }
    javax.imageio.ImageReader reader = readers.next();
    try {
      reader.setInput(stream, true, true);
      checkPixels(file, reader.getWidth(0), reader.getHeight(0));
      return reader;
    } catch (IOException | RuntimeException e) {
      reader.dispose();
      throw e;
    }
  }

  private void checkPixels(Path file, int width, int height) throws IOException {
    long pixels = (long) width * height;
    if (width <= 0 || height <= 0 || pixels > maxPixels) {
      throw new IOException(file + ": image of " + width + "x" + height + " pixels"
          + (pixels <= 0 ? " is empty" : " exceeds the limit of " + maxPixels + " pixels (data.max-image-pixels)"));
    }
  }

}
