package io.pixelwise.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TUint8;

/**
 * simple-conv and unet-skip with batch norm through the commands: the checkpoint carries the
 * moving statistics, so evaluate reproduces the training run's score and the exported model
 * predicts what predict does.
 */
class BatchNormEndToEndTest {
  private static final int H = 32;
  private static final int W = 64;

  @TempDir static Path temp;
  static Path run;

  static String[] args(String command, String... rest) {
    List<String> all = new ArrayList<>(List.of(
        command, Path.of("..", "conf", "synthetic-simple.conf").toString(),
        "--set", "model.backbone={name = simple-conv, stem-width = 8, widths = [16, 16], batch-norm = true, batch-norm-momentum = 0.9}",
        "--set", "model.head={name = unet-skip, batch-norm = true, batch-norm-momentum = 0.9}",
        "--set", "data.height=" + H, "--set", "data.width=" + W,
        "--set", "datasets.synthetic-streets.train-size=32", "--set", "datasets.synthetic-streets.val-size=8",
        "--set", "train.epochs=3", "--set", "train.batch-size=8", "--set", "eval.batch-size=8",
        "--set", "optimizer.learning-rate=3e-3", "--set", "output.pictures=false"));
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
  }

  @BeforeAll
  static void train() {
    run = temp.resolve("run");
    CommandLineEndToEndTest.Result r = CommandLineEndToEndTest.main(args("train", "--out", run.toString()));
    assertEquals(0, r.status(), r.err());
  }

  @Test
  void trainingLowersTheLossAndEvaluateReproducesTheBestScore() throws IOException {
    Config metrics = ConfigFactory.parseFile(run.resolve("metrics.json").toFile());
    List<? extends Config> epochs = metrics.getConfigList("epochs");
    assertTrue(epochs.get(2).getDouble("train_loss") < epochs.get(0).getDouble("train_loss"), epochs.toString());

    Path json = temp.resolve("eval.json");
    CommandLineEndToEndTest.Result r = CommandLineEndToEndTest.main(args("evaluate", "--checkpoint", run.toString(), "--json", json.toString()));
    assertEquals(0, r.status(), r.err());
    assertEquals(metrics.getDouble("best.value"), ConfigFactory.parseFile(json.toFile()).getDouble("confusion.miou"), 0.0,
        "the restored checkpoint evaluates differently from the training run");
  }

  @Test
  void theExportedModelPredictsWhatPredictDoes() throws IOException {
    Path input = Files.createDirectories(temp.resolve("input"));
    BufferedImage photo = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
    java.util.Random random = new java.util.Random(5);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        photo.setRGB(x, y, y < 12 ? 0x5a8cc8 + random.nextInt(8) : 0x606060 + random.nextInt(8) * 0x010101);
      }
    }
    ImageIO.write(photo, "png", input.resolve("frame.png").toFile());
    Path predicted = temp.resolve("predicted");
    assertEquals(0, CommandLineEndToEndTest.main(
        args("predict", "--checkpoint", run.toString(), "--input", input.toString(), "--output", predicted.toString())).status());
    BufferedImage expected = ImageIO.read(predicted.resolve("frame_labels.png").toFile());

    Path saved = temp.resolve("saved-model");
    CommandLineEndToEndTest.Result r = CommandLineEndToEndTest.main(args("export", "--checkpoint", run.toString(), "--output", saved.toString()));
    assertEquals(0, r.status(), r.err());
    byte[] pixels = ((java.awt.image.DataBufferByte) photo.getRaster().getDataBuffer()).getData().clone();
    for (int i = 0; i < pixels.length; i += 3) { // BGR -> RGB
      byte b = pixels[i];
      pixels[i] = pixels[i + 2];
      pixels[i + 2] = b;
    }
    try (SavedModelBundle bundle = SavedModelBundle.load(saved.toString(), "serve");
        TUint8 image = TUint8.tensorOf(Shape.of(1, H, W, 3), DataBuffers.of(pixels, true, false));
        org.tensorflow.Result out = bundle.function("serving_default").call(Map.of("images", image))) {
      TUint8 labels = (TUint8) out.get("labels").orElseThrow();
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          assertEquals(expected.getRaster().getSample(x, y, 0), labels.getByte(0, y, x) & 0xff, "label at (" + x + ", " + y + ")");
        }
      }
    }
  }

  @Test
  void aBadMomentumStopsBeforeTrainingAndNamesTheKey() {
    Path out = temp.resolve("bad");
    CommandLineEndToEndTest.Result r = CommandLineEndToEndTest.main(
        args("train", "--out", out.toString(), "--set", "model.head.batch-norm-momentum=1.5"));
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("heads.unet-skip.batch-norm-momentum: expected a value in [0, 1)"), r.err());
    assertTrue(Files.notExists(out), "a run folder was created for a bad config");
  }
}
