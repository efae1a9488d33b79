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
  void aTruncatedFileIsNamed() throws IOException {
    Path file = write(BufferedImage.TYPE_3BYTE_BGR);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, 60));
    IOException e = assertThrows(IOException.class, () -> ImageFiles.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }
}
