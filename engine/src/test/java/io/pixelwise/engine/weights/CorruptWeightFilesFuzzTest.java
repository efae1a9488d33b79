package io.pixelwise.engine.weights;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated copies of the weight fixtures (.h5 and .npz: byte flips, truncations): opening and reading
 * every array ends in values or in an IOException or IllegalArgumentException naming the file,
 * within seconds; never another exception, a hang or a JVM crash.
 */
class CorruptWeightFilesFuzzTest {
  private static final int CASES = 150;
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"vgg16-slim-keras.h5", "vgg16-slim-notop.npz"})
  void corruptWeightFilesFailCleanly(String fixture) throws Exception {
    byte[] good;
    try (var in = getClass().getResourceAsStream("/weights/" + fixture)) {
      good = in.readAllBytes();
    }
    Random random = new Random(fixture.hashCode());
    int read = 0;
    int refused = 0;
    for (int c = 0; c < CASES; c++) {
      byte[] bytes = good.clone();
      if (random.nextInt(3) == 0) {
        bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
      } else {
        for (int k = 1 + random.nextInt(8); k > 0; k--) {
          bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
        }
      }
      Path file = dir.resolve(c + "-" + fixture);
      Files.write(file, bytes);
      int caseNumber = c;
      boolean ok = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
        try (WeightFile weights = WeightFiles.open(file)) {
          for (WeightFile.Entry e : weights.entries()) {
            float[] values = weights.read(e.name());
            assertTrue(values.length == e.size(), "case " + caseNumber + ": " + e.name() + " read " + values.length
                + " values for shape " + e.describeShape());
          }
          return true;
        } catch (IOException | IllegalArgumentException e) {
          assertTrue(String.valueOf(e.getMessage()).contains(file.getFileName().toString()),
              "case " + caseNumber + ": error does not name the file: " + e);
          return false;
        } catch (RuntimeException | Error e) {
          fail("case " + caseNumber + " (" + fixture + "): " + e, e);
          return false;
        }
      });
      if (ok) {
        read++;
      } else {
        refused++;
      }
    }
    System.out.printf("fuzz %s: %d mutated files, %d read, %d refused naming the file%n", fixture, CASES, read, refused);
  }
}
