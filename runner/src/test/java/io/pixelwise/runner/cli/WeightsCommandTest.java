package io.pixelwise.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weights inspect} and {@code model.init-from} as a user runs them. */
class WeightsCommandTest {

  /** The engine's weight-file fixture (from its test jar), copied to a file. */
  static String fixture(String name) throws java.io.IOException {
    Path file = java.nio.file.Files.createTempDirectory("pixelwise-weights").resolve(name);
    try (var in = WeightsCommandTest.class.getResourceAsStream("/weights/" + name)) {
      java.nio.file.Files.copy(in, file);
    }
    file.toFile().deleteOnExit();
    file.getParent().toFile().deleteOnExit();
    return file.toString();
  }

  @Test
  void inspectListsNamesShapesAndTypes() throws Exception {
    CommandLineEndToEndTest.Result r = CommandLineEndToEndTest.main("weights", "inspect", fixture("vgg16-slim-keras.h5"));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("fc1/fc1_W_1:0\\s+\\[392, 8]\\s+float32")), r.out());
    assertTrue(r.out().contains("32 arrays, 8,830 values"), r.out());

    r = CommandLineEndToEndTest.main("weights", "inspect", Path.of("..", "README.md").toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("is neither HDF5 (a Keras .h5) nor a NumPy .npz"), r.err());
  }

  @Test
  void trainingStartsFromImportedWeights(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("run");
    // Over the demo recipe, whose backbone is simple-conv: the object choice gets vgg16's defaults.
    CommandLineEndToEndTest.Result r =
        CommandLineEndToEndTest.main(
            "train", Path.of("..", "conf", "synthetic-simple.conf").toString(),
            "--set", "model.backbone.name=vgg16",
            "--set", "model.backbone.widths=[4,4,8,8,8]",
            "--set", "model.backbone.fc-widths=[8,8]",
            "--set", "model.head=fcn8",
            "--set", "model.init-from=\"" + fixture("vgg16-slim-keras.h5") + "\"",
            "--set", "data.height=32", "--set", "data.width=48",
            "--set", "datasets.synthetic-streets.train-size=4",
            "--set", "datasets.synthetic-streets.val-size=2",
            "--set", "train.epochs=1", "--set", "train.batch-size=2", "--set", "eval.batch-size=2",
            "--out", run.toString());
    assertEquals(0, r.status(), r.err());
    String log = Files.readString(run.resolve("train.log"));
    assertTrue(log.contains("vgg16-slim-keras.h5: 30 tensors imported"), log);
  }

  @Test
  void aMissingFileStopsTraining(@TempDir Path tmp) throws IOException {
    CommandLineEndToEndTest.Result r =
        CommandLineEndToEndTest.main(
            "train", Path.of("..", "conf", "synthetic-simple.conf").toString(),
            "--set", "model.backbone=vgg16",
            "--set", "model.init-from=" + tmp.resolve("nope.h5"),
            "--out", tmp.resolve("run").toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("model.init-from: weight file " + tmp.resolve("nope.h5") + " does not exist"), r.err());
  }
}
