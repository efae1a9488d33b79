package io.pixelwise.datasets.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pixelwise.api.data.ImageReader;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.Split;
import io.pixelwise.datasets.cityscapes.Cityscapes;
import io.pixelwise.imaging.ImageDecoding;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated copies of a valid Cityscapes pair (random byte flips, truncations): every load must end
 * in a correct sample or an IOException naming the file, within a second; never another exception,
 * a hang, or a label outside the label set.
 */
class CorruptFilesFuzzTest {
  /** Reads the files as the runner does (default data.max-image-pixels and data.libdeflate). */
  private static final ImageReader IMAGES = new ImageDecoding();
  private static final int CASES = 300;
  @TempDir Path root;

  @Test
  void corruptImagesAndLabelsFailCleanly() throws Exception {
    Path images = Files.createDirectories(root.resolve("leftImg8bit/val/lindau"));
    Path labels = Files.createDirectories(root.resolve("gtFine/val/lindau"));
    Path image = images.resolve("lindau_000000_000019_leftImg8bit.png");
    Path label = labels.resolve("lindau_000000_000019_gtFine_labelIds.png");
    BufferedImage rgb = new BufferedImage(32, 16, BufferedImage.TYPE_3BYTE_BGR);
    BufferedImage ids = new BufferedImage(32, 16, BufferedImage.TYPE_BYTE_GRAY);
    Random random = new Random(1);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 32; x++) {
        rgb.setRGB(x, y, random.nextInt(0x1000000));
        ids.getRaster().setSample(x, y, 0, random.nextInt(34));
      }
    }
    ImageIO.write(rgb, "png", image.toFile());
    ImageIO.write(ids, "png", label.toFile());
    byte[] goodImage = Files.readAllBytes(image);
    byte[] goodLabel = Files.readAllBytes(label);

    int loaded = 0;
    int refused = 0;
    for (int c = 0; c < CASES; c++) {
      boolean hitImage = random.nextBoolean();
      byte[] bytes = (hitImage ? goodImage : goodLabel).clone();
      if (random.nextInt(3) == 0) {
        bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
      } else {
        for (int k = 1 + random.nextInt(8); k > 0; k--) {
          bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
        }
      }
      Files.write(image, hitImage ? bytes : goodImage);
      Files.write(label, hitImage ? goodLabel : bytes);
      Path target = hitImage ? image : label;
      int caseNumber = c;
      boolean ok = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
        try {
          Sample s = new Cityscapes(root, true, null, IMAGES).split(Split.VAL).load(0);
          for (byte id : s.labels().ids()) {
            int v = id & 0xff;
            assertTrue(v < 7 || v == 255, "case " + caseNumber + ": label " + v + " outside the label set");
          }
          return true;
        } catch (IOException e) {
          assertTrue(e.getMessage().contains(target.getFileName().toString()),
              "case " + caseNumber + ": error does not name the file: " + e.getMessage());
          return false;
        } catch (RuntimeException | Error e) {
          fail("case " + caseNumber + ": " + e, e);
          return false;
        }
      });
      if (ok) {
        loaded++;
      } else {
        refused++;
      }
    }
    System.out.printf("fuzz: %d mutated files, %d loaded correctly, %d refused with the file named%n", CASES, loaded, refused);
    assertTrue(refused > CASES / 4, "most mutations should be detected");
  }
}
