package io.pixelwise.imaging;

import com.sun.jna.Memory;
import io.pixelwise.api.data.RasterImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Decodes the PNGs that datasets are made of (8 bits per sample, not interlaced: every Cityscapes,
 * KITTI and most mask files) with libdeflate's inflate and the row filters undone here; any other
 * PNG is left to TensorFlow's libpng. Written by hand because no maintained Java PNG decoder lets
 * the inflater be swapped, and inflating is ~80% of decoding a 2048x1024 frame with zlib.
 *
 * <p>Stricter than libpng: every chunk's CRC (libpng only warns for ancillary ones), chunk order,
 * lengths, filter types and the exact amount of image data are checked, so a damaged file fails
 * rather than decoding to wrong pixels.
 */
final class FastPng {
  private FastPng() {}

  private static final byte[] SIGNATURE = {(byte) 137, 'P', 'N', 'G', '\r', '\n', 26, '\n'};

  /**
   * Samples as stored: {@code channels} 8-bit samples per pixel, rows packed, filters undone.
   *
   * @param colourType PNG colour type: 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA
   * @param palette RGB triples of a palette image (colour type 3), null otherwise
   */
  record Png(int width, int height, int colourType, int channels, byte[] samples, byte[] palette) {
    /**
     * The pixels as TensorFlow's DecodePng gives them, alpha dropped: RGB for palette images, and for
     * grey ones when {@code rgb}; grey stays one channel otherwise.
     */
    RasterImage pixels(boolean rgb) {
      int n = width * height;
      return switch (colourType) {
        case 2 -> new RasterImage(width, height, 3, samples);
        case 6 -> new RasterImage(width, height, 3, dropAlpha(samples, n, 4));
        case 0, 4 -> {
          byte[] grey = colourType == 4 ? dropAlpha(samples, n, 2) : samples;
          yield rgb ? new RasterImage(width, height, 3, replicate(grey)) : new RasterImage(width, height, 1, grey);
        }
        case 3 -> new RasterImage(width, height, 3, lookUp(samples, palette));
        default -> throw new IllegalStateException("colour type " + colourType);
      };
    }

    private static byte[] dropAlpha(byte[] samples, int pixels, int channels) {
      int keep = channels - 1;
      byte[] out = new byte[pixels * keep];
      for (int i = 0, s = 0, d = 0; i < pixels; i++, s += channels, d += keep) {
        for (int c = 0; c < keep; c++) {
          out[d + c] = samples[s + c];
        }
      }
      return out;
    }

    private static byte[] replicate(byte[] grey) {
      byte[] out = new byte[grey.length * 3];
      for (int i = 0, d = 0; i < grey.length; i++, d += 3) {
        out[d] = out[d + 1] = out[d + 2] = grey[i];
      }
      return out;
    }

    private static byte[] lookUp(byte[] indices, byte[] palette) {
      byte[] table = new byte[256 * 3]; // an index past the palette is black, as libpng shows it
      System.arraycopy(palette, 0, table, 0, palette.length);
      byte[] out = new byte[indices.length * 3];
      for (int i = 0, d = 0; i < indices.length; i++, d += 3) {
        int e = (indices[i] & 0xff) * 3;
        out[d] = table[e];
        out[d + 1] = table[e + 1];
        out[d + 2] = table[e + 2];
      }
      return out;
    }
  }

  /** Whether PNGs can be decoded here: libdeflate was found. */
  static boolean available() {
    return LibDeflate.available();
  }

  /** Width and height from a PNG's IHDR chunk (CRC checked), or null if the bytes do not start with one. */
  static int[] size(byte[] file) {
    if (!startsWithSignature(file) || file.length < 33 || readInt(file, 8) != 13
        || !new String(file, 12, 4, StandardCharsets.ISO_8859_1).equals("IHDR")) {
      return null;
    }
    CRC32 crc = new CRC32();
    crc.update(file, 12, 17);
    return (int) crc.getValue() == readInt(file, 29) ? new int[] {readInt(file, 16), readInt(file, 20)} : null;
  }

  /**
   * @param reuse where to undo the filters if it has exactly the size the samples take (a caller's
   *     scratch buffer: frames of a dataset share one size); null or another size: a new array
   * @return the decoded PNG, or null when the bytes are no PNG or one this path leaves to libpng
   *     (other bit depths, interlaced, larger than 2 GB decoded)
   * @throws IOException saying what is wrong with a damaged PNG (the caller names the file)
   */
  static Png decode(byte[] file, byte[] reuse) throws IOException {
    if (!startsWithSignature(file)) {
      return null;
    }
    LibDeflate inflater = LibDeflate.forThisThread();
    CRC32 crc = new CRC32();
    int width = 0;
    int height = 0;
    int colourType = -1;
    byte[] palette = null;
    long idatBytes = 0;
    Memory idat = null;
    boolean idatEnded = false;
    int pos = SIGNATURE.length;
    while (true) {
      if (pos + 8 > file.length) {
        throw new IOException("file ends before its IEND chunk (truncated?)");
      }
      long length = readInt(file, pos) & 0xffffffffL;
      String type = new String(file, pos + 4, 4, StandardCharsets.ISO_8859_1);
      if (length > Integer.MAX_VALUE || pos + 12 + length > file.length) {
        throw new IOException("chunk " + printable(type) + " at byte " + pos + " runs past the end of the file (truncated?)");
      }
      int data = pos + 8;
      int end = data + (int) length;
      crc.reset();
      crc.update(file, pos + 4, 4 + (int) length);
      if ((int) crc.getValue() != readInt(file, end)) {
        throw new IOException("chunk " + printable(type) + " at byte " + pos + " fails its CRC check (corrupt?)");
      }
      if (pos == SIGNATURE.length && !type.equals("IHDR")) {
        throw new IOException("first chunk is " + printable(type) + ", not IHDR");
      }
      switch (type) {
        case "IHDR" -> {
          if (length != 13 || pos != SIGNATURE.length) {
            throw new IOException("malformed IHDR chunk");
          }
          width = readInt(file, data);
          height = readInt(file, data + 4);
          int bitDepth = file[data + 8];
          colourType = file[data + 9];
          int interlace = file[data + 12];
          if (width <= 0 || height <= 0 || file[data + 10] != 0 || file[data + 11] != 0 || interlace > 1
              || !(colourType == 0 || colourType == 2 || colourType == 3 || colourType == 4 || colourType == 6)) {
            throw new IOException("invalid IHDR: " + width + "x" + height + ", colour type " + colourType);
          }
          if (bitDepth != 8 || interlace != 0 || (long) height * (1 + (long) width * channels(colourType)) > Integer.MAX_VALUE) {
            return null;
          }
          idat = inflater.input(Math.max(1, file.length));
        }
        case "PLTE" -> {
          if (length % 3 != 0 || length == 0 || length > 256 * 3 || idatBytes > 0) {
            throw new IOException("malformed PLTE chunk");
          }
          palette = java.util.Arrays.copyOfRange(file, data, end);
        }
        case "IDAT" -> {
          if (idatEnded) {
            throw new IOException("IDAT chunks are not consecutive");
          }
          idat.write(idatBytes, file, data, (int) length);
          idatBytes += length;
        }
        case "IEND" -> {
          return finish(inflater, width, height, colourType, palette, idatBytes, reuse);
        }
        default -> {
          if (Character.isUpperCase(type.charAt(0))) {
            throw new IOException("unknown critical chunk " + printable(type));
          }
        }
      }
      if (idatBytes > 0 && !type.equals("IDAT")) {
        idatEnded = true;
      }
      pos = end + 4;
    }
  }

  private static Png finish(
      LibDeflate inflater, int width, int height, int colourType, byte[] palette, long idatBytes, byte[] reuse)
      throws IOException {
    if (idatBytes == 0) {
      throw new IOException("no image data (IDAT chunk)");
    }
    if (colourType == 3 && palette == null) {
      throw new IOException("palette image without a PLTE chunk");
    }
    int channels = channels(colourType);
    int stride = width * channels;
    Memory filtered;
    try {
      filtered = inflater.inflate(idatBytes, height * (stride + 1));
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    byte[] out = reuse != null && reuse.length == height * stride ? reuse : new byte[height * stride];
    unfilter(filtered, height, stride, channels, out);
    return new Png(width, height, colourType, channels, out, palette);
  }

  /**
   * Undoes the row filters of PNG's filter method 0 (each row: a filter type byte, then the row),
   * copying each row out of native memory into its place and reconstructing it there.
   */
  static void unfilter(Memory filtered, int height, int stride, int bpp, byte[] out) throws IOException {
    for (int y = 0; y < height; y++) {
      long s = (long) y * (stride + 1) + 1;
      int d = y * stride;
      int p = d - stride; // the row above; none for the first row
      int type = filtered.getByte(s - 1);
      filtered.read(s, out, d, stride);
      if (y == 0 && (type == 2 || type == 4)) {
        type = type == 2 ? 0 : 1; // nothing above the first row: Up predicts 0 (None), Paeth the left pixel (Sub)
      }
      switch (type) {
        case 0 -> {}
        case 1 -> { // Sub
          for (int i = d + bpp; i < d + stride; i++) {
            out[i] += out[i - bpp];
          }
        }
        case 2 -> { // Up
          for (int i = 0; i < stride; i++) {
            out[d + i] += out[p + i];
          }
        }
        case 3 -> { // Average
          if (y == 0) { // nothing above: half the pixel to the left
            for (int i = d + bpp; i < d + stride; i++) {
              out[i] += (byte) ((out[i - bpp] & 0xff) >>> 1);
            }
          } else {
            for (int i = 0; i < bpp; i++) {
              out[d + i] += (byte) ((out[p + i] & 0xff) >>> 1);
            }
            for (int i = bpp; i < stride; i++) {
              out[d + i] += (byte) (((out[d + i - bpp] & 0xff) + (out[p + i] & 0xff)) >>> 1);
            }
          }
        }
        case 4 -> { // Paeth
          if (bpp == 3) {
            paethRgbRow(out, d, p, stride);
          } else if (bpp == 1) {
            paethGreyRow(out, d, p, stride);
          } else {
            for (int i = 0; i < bpp; i++) { // nothing to the left: the pixel above
              out[d + i] += out[p + i];
            }
            for (int i = bpp; i < stride; i++) {
              int a = out[d + i - bpp] & 0xff;
              int b = out[p + i] & 0xff;
              int c = out[p + i - bpp] & 0xff;
              out[d + i] += (byte) paeth(a, b, c);
            }
          }
        }
        default -> throw new IOException("row " + y + " has filter type " + (type & 0xff) + " (0..4 expected)");
      }
    }
  }

  /**
   * The Paeth predictor: a (left), b (above) or c (above left), whichever is closest to a + b - c,
   * ties in that order. Written as libpng's two comparisons, which the JIT compiles to conditional
   * moves (photos make branches unpredictable), faster than a branch-free bit-mask version
   * (docs/performance.md, "Measurements behind the code").
   */
  private static int paeth(int a, int b, int c) {
    int p = b - c;
    int q = a - c;
    int pa = Math.abs(p);
    int pb = Math.abs(q);
    int pc = Math.abs(p + q);
    int best = pb < pa ? b : a;
    int d = Math.min(pa, pb);
    return pc < d ? c : best;
  }

  /**
   * A Paeth row of RGB pixels (most dataset images): the left and above-left pixels are carried
   * in locals, so that each byte does not wait for the one stored three bytes before it; the three
   * channels' chains then run side by side (faster: docs/performance.md, "Measurements behind the code").
   */
  private static void paethRgbRow(byte[] out, int d, int p, int stride) {
    int a0 = (out[d] += out[p]) & 0xff; // the first pixel has nothing to its left: the pixel above
    int a1 = (out[d + 1] += out[p + 1]) & 0xff;
    int a2 = (out[d + 2] += out[p + 2]) & 0xff;
    int c0 = out[p] & 0xff;
    int c1 = out[p + 1] & 0xff;
    int c2 = out[p + 2] & 0xff;
    for (int i = 3; i + 2 < stride; i += 3) {
      int b0 = out[p + i] & 0xff;
      int b1 = out[p + i + 1] & 0xff;
      int b2 = out[p + i + 2] & 0xff;
      a0 = (out[d + i] + paeth(a0, b0, c0)) & 0xff;
      a1 = (out[d + i + 1] + paeth(a1, b1, c1)) & 0xff;
      a2 = (out[d + i + 2] + paeth(a2, b2, c2)) & 0xff;
      out[d + i] = (byte) a0;
      out[d + i + 1] = (byte) a1;
      out[d + i + 2] = (byte) a2;
      c0 = b0;
      c1 = b1;
      c2 = b2;
    }
  }

  /** A Paeth row of one-byte pixels (label maps), the left and above-left values carried in locals. */
  private static void paethGreyRow(byte[] out, int d, int p, int stride) {
    int a = (out[d] += out[p]) & 0xff; // the first pixel has nothing to its left: the pixel above
    int c = out[p] & 0xff;
    for (int i = 1; i < stride; i++) {
      int b = out[p + i] & 0xff;
      a = (out[d + i] + paeth(a, b, c)) & 0xff;
      out[d + i] = (byte) a;
      c = b;
    }
  }

  static int channels(int colourType) {
    return switch (colourType) {
      case 0, 3 -> 1;
      case 4 -> 2;
      case 2 -> 3;
      default -> 4;
    };
  }

  private static boolean startsWithSignature(byte[] file) {
    if (file.length < SIGNATURE.length) {
      return false;
    }
    for (int i = 0; i < SIGNATURE.length; i++) {
      if (file[i] != SIGNATURE[i]) {
        return false;
      }
    }
    return true;
  }

  private static int readInt(byte[] b, int at) {
    return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
  }

  private static String printable(String type) {
    return type.chars().allMatch(c -> c >= 'A' && c <= 'z') ? type : "(unreadable type)";
  }
}
