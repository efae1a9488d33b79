package io.pixelwise.runner.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same config twice gives bit-identical weights (with augmentation on); another seed does not. */
class DeterminismTest {
  private static final String RECIPE = Path.of("..", "conf", "synthetic-simple.conf").toString();
  @TempDir Path temp;

  private byte[] train(String name, long seed) throws Exception {
    Path out = temp.resolve(name);
    List<String> args = new ArrayList<>(List.of("train", RECIPE, "--out", out.toString(),
        "--set", "data.height=32", "--set", "data.width=64",
        "--set", "datasets.synthetic-streets.train-size=16", "--set", "datasets.synthetic-streets.val-size=4",
        "--set", "train.epochs=2", "--set", "train.batch-size=4", "--set", "train.seed=" + seed,
        "--set", "train.deterministic=true", "--set", "output.pictures=false",
        "--set", "data.augment.scale=[0.8, 1.25]", "--set", "data.augment.brightness=0.2"));
    var r = CommandLineEndToEndTest.main(args.toArray(String[]::new));
    assertEquals(0, r.status(), r.err());
    return Files.readAllBytes(out.resolve("checkpoints/step-0000008.data-00000-of-00001"));
  }

  @Test
  void theSameConfigGivesTheSameWeights() throws Exception {
    byte[] a = train("a", 7);
    byte[] b = train("b", 7);
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, train("c", 8)), "the seed changes nothing");
  }
}
