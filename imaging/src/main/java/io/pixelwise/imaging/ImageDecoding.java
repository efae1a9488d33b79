package io.pixelwise.api.data;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads dataset images through ImageIO (PNG and JPEG built in; TwelveMonkeys plugins, when on the
 * class path, are picked up automatically) and turns every failure into an error naming the file.
 */
public final class ImageFiles {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ImageFiles.class);
  /** Whether the PNG decoder in use has been logged. */
  private static final java.util.concurrent.atomic.AtomicBoolean told = new java.util.concurrent.atomic.AtomicBoolean();

  private ImageFiles() {}

  /** Decodes an image file; fails with the file's name if it is missing, unreadable or truncated. */
  public static BufferedImage read(Path file) throws IOException {
    return decode(file, readBytes(file));
  }

  /** ImageIO's decoding of a file's bytes, every failure named with the file. */
  private static BufferedImage decode(Path file, byte[] bytes) throws IOException {
    try (ImageInputStream stream = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
      ImageReader reader = checkedReader(file, stream);
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
   * An image as the model is fed it, and the size it is stored at (to check that its label matches).
   *
   * @param storedWidth width of the image in the file, before resizing
   * @param storedHeight height of the image in the file, before resizing
   */
  public record Decoded(RasterImage image, int storedWidth, int storedHeight) {}

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
  public static Decoded readResized(Path file, InputSize size, boolean rgb) throws IOException {
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
   * Label samples as stored: the ids of an 8-bit grey PNG, the palette indices of an indexed one
   * (never the palette's colours), the first band of anything else, as {@link #samples} reads them.
   */
  public static final class Samples {
    private final int width;
    private final int height;
    private final byte[] bytes; // 8-bit samples, or
    private final int[] ints; // anything wider

    private Samples(int width, int height, byte[] bytes, int[] ints) {
      this.width = width;
      this.height = height;
      this.bytes = bytes;
      this.ints = ints;
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

    /** Every sample, row-major. */
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

  /**
   * Reads a label image's {@link Samples}; fails with the file's name if it is missing, unreadable,
   * truncated or over the pixel limit. 8-bit grey and palette PNGs take the libdeflate path when it
   * is on, the rest ImageIO.
   */
  public static Samples readSamples(Path file) throws IOException {
    byte[] bytes = readBytes(file);
    int[] stored = header(file, bytes);
    FastPng.Png png = fastPng(file, bytes, null);
    if (png != null && (png.colourType() == 0 || png.colourType() == 3)) {
      return new Samples(stored[0], stored[1], png.samples(), null);
    }
    BufferedImage image = decode(file, bytes);
    return new Samples(image.getWidth(), image.getHeight(), null, samples(image));
  }

  private static volatile boolean useLibdeflate = true;

  /**
   * Whether 8-bit PNGs are decoded with libdeflate where the system has it ({@code
   * data.libdeflate}, set by the runner); off, every file goes through TensorFlow's libpng or
   * ImageIO.
   */
  public static void setLibdeflate(boolean use) {
    useLibdeflate = use;
  }

  /** Whether {@link #setLibdeflate} is on and libdeflate was found: what decodes PNGs now. */
  public static boolean libdeflateInUse() {
    return useLibdeflate && FastPng.available();
  }

  /** Per-thread scratch for the samples of a frame being resized. */
  private static final ThreadLocal<byte[]> PIXELS = new ThreadLocal<>();

  /** The file decoded by {@link FastPng}, or null where it is not a PNG that path takes. */
  private static FastPng.Png fastPng(Path file, byte[] bytes, byte[] reuse) throws IOException {
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
  private static int[] header(Path file, byte[] bytes) throws IOException {
    int[] png = FastPng.size(bytes);
    if (png != null) { // a PNG's size is two fields of its first chunk: ImageIO would take longer to find it
      checkPixels(file, png[0], png[1]);
      return png;
    }
    try (ImageInputStream stream = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
      ImageReader reader = checkedReader(file, stream);
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
  private static ImageReader checkedReader(Path file, ImageInputStream stream) throws IOException {
    Iterator<ImageReader> readers = stream == null ? null : ImageIO.getImageReaders(stream);
    if (readers == null || !readers.hasNext()) {
      throw new IOException(file + ": not an image format this build can read (PNG or JPEG expected)");
    }
    ImageReader reader = readers.next();
    try {
      reader.setInput(stream, true, true);
      checkPixels(file, reader.getWidth(0), reader.getHeight(0));
      return reader;
    } catch (IOException | RuntimeException e) {
      reader.dispose();
      throw e;
    }
  }

  private static void checkPixels(Path file, int width, int height) throws IOException {
    long pixels = (long) width * height;
    if (width <= 0 || height <= 0 || pixels > maxPixels) {
      throw new IOException(file + ": image of " + width + "x" + height + " pixels"
          + (pixels <= 0 ? " is empty" : " exceeds the limit of " + maxPixels + " pixels (data.max-image-pixels)"));
    }
  }

  private static volatile long maxPixels = 100_000_000L;

  /**
   * Sets the largest image (width x height) {@link #read} decodes, process-wide: the runner sets it
   * from {@code data.max-image-pixels} before any dataset reads a file.
   */
  public static void setMaxPixels(long limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("data.max-image-pixels must be positive, got " + limit);
    }
    maxPixels = limit;
  }

  /** The image as 8-bit RGB, whatever its stored type (palette, grey, 16-bit, with alpha). */
  public static RasterImage rgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    if ((image.getType() == BufferedImage.TYPE_3BYTE_BGR || image.getType() == BufferedImage.TYPE_4BYTE_ABGR)
        && image.getRaster().getDataBuffer() instanceof java.awt.image.DataBufferByte buffer
        && buffer.getNumBanks() == 1
        && image.getRaster().getSampleModel() instanceof java.awt.image.PixelInterleavedSampleModel model
        && model.getScanlineStride() == w * model.getPixelStride()
        && image.getRaster().getSampleModelTranslateX() == 0
        && image.getRaster().getSampleModelTranslateY() == 0) {
      // What 8-bit RGB(A) PNGs and JPEGs decode to: reorder the bytes directly, ~10x faster than
      // getRGB's per-pixel colour-model conversion on a 2048x1024 frame.
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
  public static RasterImage pixels(BufferedImage image) {
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
  public static int[] greyLevels(BufferedImage image) {
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
  public static int[] samples(BufferedImage image) {
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
