package io.pixelwise.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pixelwise.api.data.ImageReader;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.RasterImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The libdeflate PNG path must decode every file exactly as TensorFlow's libpng does (the path it
 * replaces) and refuse every damaged file libpng refuses. The PNGs are written here, with each row
 * filter type, since ImageIO's writer only ever writes filter 0.
 */
class FastPngTest {
  @TempDir Path dir;

  @BeforeEach
  void needsLibdeflate() {
    assumeTrue(FastPng.available(), "libdeflate is not installed (Debian/Ubuntu: apt-get install libdeflate0)");
  }

  /** A PNG of random samples; row y uses filter {@code filters[y % filters.length]}. */
  static byte[] png(int width, int height, int colourType, int[] filters, long seed) throws IOException {
    byte[] raw = new byte[height * width * FastPng.channels(colourType)];
    new Random(seed).nextBytes(raw);
    byte[] palette = null;
    if (colourType == 3) {
      for (int i = 0; i < raw.length; i++) {
        raw[i] = (byte) ((raw[i] & 0xff) % 200); // a few indices past the 180-colour palette
      }
      palette = new byte[180 * 3];
      new Random(seed + 1).nextBytes(palette);
    }
    return PngWriter.encode(width, height, colourType, raw, palette, filters);
  }

  private static byte[] deflate(byte[] data) {
    return PngWriter.deflate(data);
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
    PngWriter.chunk(out, type, data);
  }

  private RasterImage decode(Path file, InputSize size, boolean rgb, boolean libdeflate) throws IOException {
    return new ImageDecoding(ImageDecoding.DEFAULT_MAX_PIXELS, libdeflate).readResized(file, size, rgb).image();
  }

  @ParameterizedTest(name = "colour type {0}")
  @ValueSource(ints = {0, 2, 3, 4, 6})
  void everyColourTypeAndFilterDecodesAsLibpngDoes(int colourType) throws IOException {
    Path file = Files.write(dir.resolve("t" + colourType + ".png"), png(53, 29, colourType, new int[] {0, 1, 2, 3, 4, 4, 3, 1}, colourType));
    for (boolean rgb : new boolean[] {false, true}) {
      for (InputSize size : new InputSize[] {null, new InputSize(9, 17), new InputSize(40, 70)}) {
        RasterImage expected = decode(file, size, rgb, false);
        RasterImage actual = decode(file, size, rgb, true);
        String what = "rgb " + rgb + ", size " + size;
        assertEquals(expected.channels(), actual.channels(), what);
        assertEquals(expected.width(), actual.width(), what);
        assertArrayEquals(expected.pixels(), actual.pixels(), what);
      }
    }
  }

  @Test
  void eachFilterAloneFromTheFirstRowOn() throws IOException {
    for (int f = 0; f <= 4; f++) {
      byte[] bytes = png(31, 7, 2, new int[] {f}, 40 + f);
      FastPng.Png png = FastPng.decode(bytes, null);
      byte[] unfiltered = FastPng.decode(png(31, 7, 2, new int[] {0}, 40 + f), null).samples();
      assertArrayEquals(unfiltered, png.samples(), "filter " + f);
    }
  }

  @ParameterizedTest(name = "colour type {0}")
  @ValueSource(ints = {0, 3})
  void labelSamplesAreTheStoredIdsOrIndices(int colourType) throws IOException {
    Path file = Files.write(dir.resolve("l" + colourType + ".png"), png(45, 12, colourType, new int[] {4, 2, 0}, 7));
    ImageDecoding libdeflate = new ImageDecoding();
    ImageDecoding libpng = new ImageDecoding(ImageDecoding.DEFAULT_MAX_PIXELS, false);
    ImageReader.Samples fast = libdeflate.readSamples(file);
    ImageReader.Samples imageIo = libpng.readSamples(file);
    assertEquals(45, fast.width());
    assertEquals(12, fast.height());
    assertArrayEquals(libpng.samples(libpng.read(file)), imageIo.toArray());
    assertArrayEquals(imageIo.toArray(), fast.toArray());
    for (int i = 0; i < 45 * 12; i++) {
      assertEquals(imageIo.get(i), fast.get(i));
    }
  }

  @Test
  void otherBitDepthsAndInterlacedFilesAreLeftToLibpng() throws IOException {
    byte[] bytes = png(8, 4, 2, new int[] {0}, 1);
    byte[] sixteen = bytes.clone();
    sixteen[8 + 8 + 8] = 16; // IHDR bit depth
    byte[] interlaced = bytes.clone();
    interlaced[8 + 8 + 12] = 1;
    for (byte[] b : new byte[][] {sixteen, interlaced}) {
      fixCrc(b, 8);
      assertNull(FastPng.decode(b, null));
    }
    assertNull(FastPng.decode("GIF89a".getBytes(StandardCharsets.ISO_8859_1), null));
  }

  @Test
  void damagedFilesAreRefusedSayingWhatIsWrong() throws IOException {
    byte[] good = png(40, 20, 2, new int[] {1, 4}, 3);
    int idat = indexOf(good, "IDAT") - 4;
    byte[] flipped = good.clone();
    flipped[idat + 8 + 5] ^= 1;
    assertRefused(flipped, "fails its CRC check");
    assertRefused(Arrays.copyOf(good, good.length / 2), "truncated");
    assertRefused(Arrays.copyOf(good, good.length - 12), "before its IEND chunk");

    byte[] badFilter = good.clone(); // a row filter type of 7 in an otherwise valid stream
    byte[] rows = new byte[20 * (40 * 3 + 1)];
    rows[0] = 7;
    assertRefused(withImageData(badFilter, rows, 40, 20), "filter type 7");
    assertRefused(withImageData(good, new byte[20 * (40 * 3 + 1) - 1], 40, 20), "ends after");
    assertRefused(withImageData(good, new byte[20 * (40 * 3 + 1) + 1], 40, 20), "more than");
    byte[] notZlib = withImageData(good, new byte[10], 40, 20);
    int at = indexOf(notZlib, "IDAT") + 4;
    notZlib[at] = 0x12; // not a zlib header
    fixCrc(notZlib, at - 8);
    assertRefused(notZlib, "not a valid zlib stream");

    byte[] critical = good.clone(); // an unknown critical chunk where tEXt was
    int text = indexOf(critical, "tEXt");
    critical[text] = 'T';
    fixCrc(critical, text - 4);
    assertRefused(critical, "unknown critical chunk TEXt");
  }

  @Test
  void aDamagedFileIsNamedByImageDecoding() throws IOException {
    byte[] good = png(40, 20, 0, new int[] {2}, 3);
    Path file = Files.write(dir.resolve("damaged.png"), Arrays.copyOf(good, good.length - 20));
    IOException e = assertThrows(IOException.class, () -> new ImageDecoding().readResized(file, null, true));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    IOException labels = assertThrows(IOException.class, () -> new ImageDecoding().readSamples(file));
    assertTrue(labels.getMessage().startsWith(file.toString()), labels.getMessage());
  }

  private static void assertRefused(byte[] bytes, String expected) {
    IOException e = assertThrows(IOException.class, () -> FastPng.decode(bytes, null), expected);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  /** The PNG with its image data replaced by {@code rows}, deflated into one IDAT chunk. */
  private static byte[] withImageData(byte[] png, byte[] rows, int width, int height) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int first = indexOf(png, "IDAT") - 4;
    out.write(png, 0, first);
    chunk(out, "IDAT", deflate(rows));
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static int indexOf(byte[] bytes, String type) {
    byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
    outer:
    for (int i = 0; i + t.length <= bytes.length; i++) {
      for (int j = 0; j < t.length; j++) {
        if (bytes[i + j] != t[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("no " + type);
  }

  /** Recomputes the CRC of the chunk starting (at its length field) at {@code start}. */
  private static void fixCrc(byte[] b, int start) {
    int length = (b[start] & 0xff) << 24 | (b[start + 1] & 0xff) << 16 | (b[start + 2] & 0xff) << 8 | (b[start + 3] & 0xff);
    CRC32 crc = new CRC32();
    crc.update(b, start + 4, 4 + length);
    int v = (int) crc.getValue();
    int at = start + 8 + length;
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }
}
