package io.pixelwise.api.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fast byte paths must give exactly what the slow, general ImageIO accessors give. */
class ImageFilesTest {
  @TempDir Path dir;

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
    BufferedImage decoded = ImageFiles.read(write(type));
    RasterImage rgb = ImageFiles.rgb(decoded);
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
    BufferedImage decoded = ImageFiles.read(write(type));
    int[] expected = decoded.getRaster().getSamples(0, 0, 37, 21, 0, (int[]) null);
    assertArrayEquals(expected, ImageFiles.samples(decoded));
  }

  @Test
  void anImageOverThePixelLimitIsRefusedBeforeDecoding() throws IOException {
    Path file = write(BufferedImage.TYPE_3BYTE_BGR);
    try {
      ImageFiles.setMaxPixels(37 * 21 - 1);
      IOException e = assertThrows(IOException.class, () -> ImageFiles.read(file));
      assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("37x21"), e.getMessage());
      ImageFiles.setMaxPixels(37 * 21);
      assertEquals(37, ImageFiles.read(file).getWidth());
    } finally {
      ImageFiles.setMaxPixels(100_000_000L);
    }
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
    IOException e = assertThrows(IOException.class, () -> ImageFiles.read(bomb));
    assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
  }

  @Test
  void aTruncatedFileIsNamed() throws IOException {
    Path file = write(BufferedImage.TYPE_3BYTE_BGR);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, 60));
    IOException e = assertThrows(IOException.class, () -> ImageFiles.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }
}
