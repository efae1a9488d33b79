package io.pixelwise.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.data.ImageReader;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.RasterImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast byte paths must give exactly what the slow, general ImageIO accessors give; with
 * libdeflate where installed ({@link ImageDecodingLibpngTest} repeats every case without it).
 */
class ImageDecodingTest {
  @TempDir Path dir;

  /** data.libdeflate of the readers under test. */
  boolean libdeflate() {
    return true;
  }

  ImageDecoding images(long maxPixels) {
    return new ImageDecoding(maxPixels, libdeflate());
  }

  ImageDecoding images() {
    return images(ImageDecoding.DEFAULT_MAX_PIXELS);
  }

  private Path write(int type) throws IOException {
    BufferedImage img = new BufferedImage(37, 21, type);
    Random random = new Random(type);
    for (int y = 0; y < 21; y++) {
      for (int x = 0; x < 37; x++) {
        img.setRGB(x, y, 0xff000000 | random.nextInt(0x1000000));
      }
    }
    Path file = dir.resolve(type + ".png");
    ImageIO.write(img, "png", file.toFile());
    return file;
  }

  @ParameterizedTest
  @ValueSource(ints = {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_INT_RGB,
      BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_BYTE_INDEXED})
  void rgbMatchesGetRgb(int type) throws IOException {
    BufferedImage decoded = images().read(write(type));
    RasterImage rgb = Pixels.rgb(decoded);
    for (int y = 0; y < 21; y++) {
      for (int x = 0; x < 37; x++) {
        int expected = decoded.getRGB(x, y);
        int i = 3 * (y * 37 + x);
        int got = (rgb.pixels()[i] & 0xff) << 16 | (rgb.pixels()[i + 1] & 0xff) << 8 | (rgb.pixels()[i + 2] & 0xff);
        assertEquals(expected & 0xffffff, got, "pixel (" + x + ", " + y + ") of type " + type);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_BYTE_INDEXED, BufferedImage.TYPE_USHORT_GRAY})
  void samplesMatchTheRaster(int type) throws IOException {
    BufferedImage decoded = images().read(write(type));
    int[] expected = decoded.getRaster().getSamples(0, 0, 37, 21, 0, (int[]) null);
    assertArrayEquals(expected, images().samples(decoded));
  }

  @Test
  void anImageOverThePixelLimitIsRefusedBeforeDecoding() throws IOException {
    Path file = write(BufferedImage.TYPE_3BYTE_BGR);
    IOException e = assertThrows(IOException.class, () -> images(37 * 21 - 1).read(file));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("37x21"), e.getMessage());
    assertEquals(37, images(37 * 21).read(file).getWidth());
  }

  @Test
  void aPngHeaderClaimingAGiganticImageIsRefused() throws IOException {
    // A valid PNG header (IHDR) for 100000 x 100000 pixels with no data: 10^10 pixels.
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(17);
    ihdr.put(new byte[] {'I', 'H', 'D', 'R'}).putInt(100_000).putInt(100_000).put((byte) 8).put((byte) 2)
        .put((byte) 0).put((byte) 0).put((byte) 0);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(ihdr.array());
    png.write(java.nio.ByteBuffer.allocate(4).putInt(13).array());
    png.write(ihdr.array());
    png.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    Path bomb = dir.resolve("bomb.png");
    Files.write(bomb, png.toByteArray());
    IOException e = assertThrows(IOException.class, () -> images().read(bomb));
    assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
  }

  @Test
  void aTruncatedFileIsNamed() throws IOException {
    Path file = write(BufferedImage.TYPE_3BYTE_BGR);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, 60));
    IOException e = assertThrows(IOException.class, () -> images().read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_INT_RGB,
      BufferedImage.TYPE_BYTE_INDEXED})
  void nativeDecodingAtTheStoredSizeGivesImageIosColours(int type) throws IOException {
    Path file = write(type);
    ImageReader.Decoded decoded = images().readResized(file, null, true);
    assertEquals(37, decoded.storedWidth());
    assertEquals(21, decoded.storedHeight());
    assertSameImage(Pixels.rgb(images().read(file)), decoded.image());
  }

  @Test
  void greyStaysGreyWithItsStoredLevelsOrIsReplicatedToRgb() throws IOException {
    Path file = write(BufferedImage.TYPE_BYTE_GRAY);
    RasterImage expected = Pixels.pixels(images().read(file));
    assertEquals(1, expected.channels());
    assertSameImage(expected, images().readResized(file, null, false).image());
    RasterImage rgb = images().readResized(file, null, true).image();
    assertEquals(3, rgb.channels());
    for (int i = 0; i < expected.pixels().length; i++) {
      for (int k = 0; k < 3; k++) {
        assertEquals(expected.pixels()[i], rgb.pixels()[3 * i + k], "pixel " + i + " channel " + k);
      }
    }
  }

  @Test
  void shrinkingByTwoOrMoreAveragesAreasAndEnlargingIsBilinear() throws IOException {
    // 4x2 grey blocks of 2x2 pixels, each block one level: halving gives each block's level.
    BufferedImage blocks = new BufferedImage(8, 4, BufferedImage.TYPE_BYTE_GRAY);
    int[][] level = {{0, 40, 80, 120}, {160, 200, 240, 255}};
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 8; x++) {
        blocks.getRaster().setSample(x, y, 0, level[y / 2][x / 2] + (x + y) % 2); // area mean: +0.5
      }
    }
    Path file = dir.resolve("blocks.png");
    ImageIO.write(blocks, "png", file.toFile());
    RasterImage half = images().readResized(file, new InputSize(2, 4), false).image();
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 4; x++) {
        // Each 2x2 block holds level, level+1, level+1, level (255 clips to 255, 256 is 0 mod 256):
        // mean level + 0.5, rounded half to even.
        int l = level[y][x];
        int mean = l == 255 ? 128 : (int) Math.rint(l + 0.5);
        assertEquals(mean, half.pixels()[y * 4 + x] & 0xff, "block (" + x + ", " + y + ")");
      }
    }
    BufferedImage pair = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
    pair.getRaster().setSample(1, 0, 0, 100);
    Path two = dir.resolve("two.png");
    ImageIO.write(pair, "png", two.toFile());
    RasterImage wide = images().readResized(two, new InputSize(1, 4), false).image();
    // Half-pixel centres: output x samples input (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 (clamped).
    assertArrayEquals(new byte[] {0, 25, 75, 100}, wide.pixels());
  }

  @Test
  void jpegsDecodeNativelyLikeImageIoWithinIdctRounding() throws IOException {
    BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < 48; y++) {
      for (int x = 0; x < 64; x++) {
        img.setRGB(x, y, (x * 4) << 16 | (y * 5) << 8 | ((x + y) * 2));
      }
    }
    Path file = dir.resolve("smooth.jpg");
    ImageIO.write(img, "jpeg", file.toFile());
    byte[] expected = Pixels.rgb(images().read(file)).pixels();
    byte[] got = images().readResized(file, null, true).image().pixels();
    int worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs((expected[i] & 0xff) - (got[i] & 0xff)));
    }
    assertTrue(worst <= 3, "largest difference " + worst);
  }

  @Test
  void nativeDecodingRefusesBombsTruncationAndNonImagesNamingTheFile() throws IOException {
    Path file = write(BufferedImage.TYPE_3BYTE_BGR);
    IOException over = assertThrows(IOException.class, () -> images(37 * 21 - 1).readResized(file, null, true));
    assertTrue(over.getMessage().contains(file.toString()) && over.getMessage().contains("37x21"), over.getMessage());
    byte[] bytes = Files.readAllBytes(file);
    for (int keep : new int[] {60, bytes.length / 2, bytes.length - 13}) {
      Path cut = dir.resolve("cut" + keep + ".png");
      Files.write(cut, java.util.Arrays.copyOf(bytes, keep));
      IOException e = assertThrows(IOException.class, () -> images().readResized(cut, new InputSize(10, 10), true),
          "kept " + keep + " of " + bytes.length + " bytes");
      assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
    }
    Path text = Files.writeString(dir.resolve("notes.png"), "not an image");
    IOException e = assertThrows(IOException.class, () -> images().readResized(text, null, true));
    assertTrue(e.getMessage().startsWith(text.toString()) && e.getMessage().contains("not an image format"), e.getMessage());
    IOException missing = assertThrows(IOException.class, () -> images().readResized(dir.resolve("nope.png"), null, true));
    assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
  }

  private static void assertSameImage(RasterImage expected, RasterImage actual) {
    assertEquals(List.of(expected.width(), expected.height(), expected.channels()),
        List.of(actual.width(), actual.height(), actual.channels()));
    assertArrayEquals(expected.pixels(), actual.pixels());
  }
}
