package io.pixelwise.engine;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated checkpoint files (byte flips, truncations of .index or .data): a restore ends in the
 * saved values or in an error that names the checkpoint; never a JVM crash, a hang or silently
 * different weights.
 */
class CorruptCheckpointFuzzTest {
  private static final int CASES = 60;
  @TempDir Path dir;

  @Test
  void corruptCheckpointsFailCleanly() throws Exception {
    try (SegmentationGraph graph = SegmentationGraphTest.tinyModel(5);
        ModelSession session = new ModelSession(graph, 1, 1)) {
      session.initialize();
      session.train(SegmentationGraphTest.batch(3, 4), 1e-2f, 1);
      Path good = dir.resolve("good");
      session.save(good);
      var saved = session.variableValues();
      byte[] index = Files.readAllBytes(Path.of(good + ".index"));
      byte[] data = Files.readAllBytes(Path.of(good + ".data-00000-of-00001"));
      Random random = new Random(11);
      int restored = 0;
      int refused = 0;
      for (int c = 0; c < CASES; c++) {
        boolean hitIndex = random.nextBoolean();
        byte[] bytes = (hitIndex ? index : data).clone();
        if (random.nextInt(3) == 0) {
          bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
        } else {
          for (int k = 1 + random.nextInt(4); k > 0; k--) {
            bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
          }
        }
        Path prefix = dir.resolve("case" + c);
        Files.write(Path.of(prefix + ".index"), hitIndex ? bytes : index);
        Files.write(Path.of(prefix + ".data-00000-of-00001"), hitIndex ? data : bytes);
        int caseNumber = c;
        boolean ok = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
          try {
            session.restore(prefix);
          } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            assertTrue(e.getMessage().contains(prefix.toString()), "case " + caseNumber + ": " + e.getMessage());
            return false;
          } catch (RuntimeException e) {
            fail("case " + caseNumber + ": " + e, e);
          }
          var values = session.variableValues();
          for (var entry : saved.entrySet()) {
            if (!Arrays.equals(entry.getValue(), values.get(entry.getKey()))) {
              fail("case " + caseNumber + ": restore succeeded with different values for " + entry.getKey());
            }
          }
          return true;
        });
        if (ok) {
          restored++;
        } else {
          refused++;
        }
      }
      System.out.printf("fuzz checkpoints: %d mutated, %d restored exactly, %d refused naming the checkpoint%n",
          CASES, restored, refused);
    }
  }
}
