package io.pixelwise.runner.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run stopped after epoch 2 and resumed ends exactly where the uninterrupted run ends. */
class ResumeTest {
  private static final String RECIPE = Path.of("..", "conf", "synthetic-simple.conf").toString();
  private static final String[] SMALL = {
    "--set", "data.height=32", "--set", "data.width=64",
    "--set", "datasets.synthetic-streets.train-size=24",
    "--set", "datasets.synthetic-streets.val-size=8",
    "--set", "train.epochs=4", "--set", "train.batch-size=8", "--set", "eval.batch-size=8",
    "--set", "train.keep-checkpoints=10", "--set", "output.pictures=false",
    "--set", "runtime.intra-op-threads=1", "--set", "runtime.inter-op-threads=1",
  };

  @TempDir Path temp;

  private static String[] train(String... rest) {
    List<String> all = new ArrayList<>(List.of("train", RECIPE));
    all.addAll(List.of(SMALL));
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
  }

  @Test
  void resumingReproducesTheUninterruptedRun() throws IOException {
    Path full = temp.resolve("full");
    var r = CommandLineEndToEndTest.main(train("--out", full.toString()));
    assertEquals(0, r.status(), r.err());

    // The same run "killed" after epoch 2: its folder as it was then.
    Path cut = temp.resolve("cut");
    copy(full, cut);
    Path checkpoints = cut.resolve("checkpoints");
    try (Stream<Path> files = Files.list(checkpoints)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.startsWith("step-0000009") || name.startsWith("step-0000012")) {
          Files.delete(f);
        }
      }
    }
    Files.writeString(checkpoints.resolve("latest"), "step-0000006\n");
    Files.writeString(checkpoints.resolve("best"), "step-0000006\n");

    var resumed = CommandLineEndToEndTest.main("train", "--resume", cut.toString());
    assertEquals(0, resumed.status(), resumed.err());

    byte[] expected = Files.readAllBytes(full.resolve("checkpoints/step-0000012.data-00000-of-00001"));
    byte[] got = Files.readAllBytes(cut.resolve("checkpoints/step-0000012.data-00000-of-00001"));
    assertArrayEquals(expected, got, "resumed weights differ from the uninterrupted run's");

    var history = ConfigFactory.parseFile(cut.resolve("metrics.json").toFile()).getConfigList("epochs");
    assertEquals(4, history.size(), "history of the resumed run");
    var fullHistory = ConfigFactory.parseFile(full.resolve("metrics.json").toFile()).getConfigList("epochs");
    assertEquals(fullHistory.get(3).getDouble("train_loss"), history.get(3).getDouble("train_loss"), 0.0);
    assertTrue(Files.readString(cut.resolve("train.log")).contains("resuming from"));
  }

  @Test
  void resumingARunWithoutCheckpointIsAClearError() throws IOException {
    Path empty = Files.createDirectories(temp.resolve("empty"));
    Files.writeString(empty.resolve("config.conf"), Files.readString(Path.of(RECIPE)));
    var r = CommandLineEndToEndTest.main("train", "--resume", empty.toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("no checkpoint"), r.err());
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }
}
