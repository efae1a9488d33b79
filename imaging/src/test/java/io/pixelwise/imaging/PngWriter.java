package io.pixelwise.imaging;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes 8-bit PNGs with a chosen row filter per row, for tests and benchmarks: ImageIO's writer
 * only ever writes filter 0, while real encoders (libpng's adaptive filtering, PIL, OpenCV) mostly
 * pick Paeth, Sub and Up for photographs.
 */
public final class PngWriter {
  private PngWriter() {}

  /** PNG filter types. */
  public static final int NONE = 0;
  public static final int SUB = 1;
  public static final int UP = 2;
  public static final int AVERAGE = 3;
  public static final int PAETH = 4;

  /**
   * @param colourType 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA
   * @param samples rows of {@code width * channels} samples, packed
   * @param palette RGB triples for colour type 3, else null
   * @param filters row y uses {@code filters[y % filters.length]}
   */
  public static byte[] encode(int width, int height, int colourType, byte[] samples, byte[] palette, int... filters)
      throws IOException {
    int bpp = FastPng.channels(colourType);
    int stride = width * bpp;
    byte[] filtered = new byte[height * (stride + 1)];
    for (int y = 0; y < height; y++) {
      int f = filters[y % filters.length];
      filtered[y * (stride + 1)] = (byte) f;
      for (int i = 0; i < stride; i++) {
        int x = samples[y * stride + i] & 0xff;
        int a = i >= bpp ? samples[y * stride + i - bpp] & 0xff : 0;
        int b = y > 0 ? samples[(y - 1) * stride + i] & 0xff : 0;
        int c = i >= bpp && y > 0 ? samples[(y - 1) * stride + i - bpp] & 0xff : 0;
        int predictor = switch (f) {
          case NONE -> 0;
          case SUB -> a;
          case UP -> b;
          case AVERAGE -> (a + b) / 2;
          case PAETH -> {
            int p = a + b - c; // the specification's formulation
            int pa = Math.abs(p - a);
            int pb = Math.abs(p - b);
            int pc = Math.abs(p - c);
            yield pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          }
          default -> throw new IllegalArgumentException("filter type " + f);
        };
        filtered[y * (stride + 1) + 1 + i] = (byte) (x - predictor);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 137, 'P', 'N', 'G', '\r', '\n', 26, '\n'});
    ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
    writeInt(ihdr, width);
    writeInt(ihdr, height);
    ihdr.write(new byte[] {8, (byte) colourType, 0, 0, 0});
    chunk(out, "IHDR", ihdr.toByteArray());
    if (palette != null) {
      chunk(out, "PLTE", palette);
    }
    chunk(out, "tEXt", "Comment\0ancillary chunks are skipped".getBytes(StandardCharsets.ISO_8859_1));
    byte[] zlib = deflate(filtered);
    int half = zlib.length / 2; // image data split over two IDAT chunks, as encoders do
    chunk(out, "IDAT", Arrays.copyOfRange(zlib, 0, half));
    chunk(out, "IDAT", Arrays.copyOfRange(zlib, half, zlib.length));
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  static byte[] deflate(byte[] data) {
    Deflater deflater = new Deflater(6);
    deflater.setInput(data);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[1 << 16];
    while (!deflater.finished()) {
      out.write(buffer, 0, deflater.deflate(buffer));
    }
    deflater.end();
    return out.toByteArray();
  }

  static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
    byte[] name = type.getBytes(StandardCharsets.ISO_8859_1);
    writeInt(out, data.length);
    out.write(name);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(data);
    writeInt(out, (int) crc.getValue());
  }

  private static void writeInt(ByteArrayOutputStream out, int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }
}
