package io.pixelwise.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Binary segmentation through the commands: a folder of black-and-white masks, a sigmoid model, a
 * weighted pair of losses one of which balances classes by the train split's frequencies. Those
 * frequencies are kept in the run folder, and evaluate uses them.
 */
class BinaryLossesEndToEndTest {
  private static final int W = 48;
  private static final int H = 32;

  @TempDir static Path temp;
  static Path data;
  static Path run;

  /** Bright discs (foreground, white mask) on dark noise; 12 images. */
  static void writeDataset(Path root) throws IOException {
    Files.createDirectories(root.resolve("images"));
    Files.createDirectories(root.resolve("masks"));
    Random r = new Random(3);
    for (int i = 0; i < 12; i++) {
      BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
      BufferedImage mask = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
      int cx = 8 + r.nextInt(W - 16);
      int cy = 8 + r.nextInt(H - 16);
      int rad = 4 + r.nextInt(5);
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          boolean inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= rad * rad;
          int v = (inside ? 170 : 40) + r.nextInt(50);
          image.setRGB(x, y, v << 16 | v << 8 | v);
          mask.setRGB(x, y, inside ? 0xffffff : 0);
        }
      }
      ImageIO.write(image, "png", root.resolve("images").resolve("img" + i + ".png").toFile());
      ImageIO.write(mask, "png", root.resolve("masks").resolve("img" + i + ".png").toFile());
    }
  }

  static String[] args(String command, String... rest) {
    List<String> all = new ArrayList<>(List.of(
        command, Path.of("..", "conf", "synthetic-simple.conf").toString(),
        "--set", "dataset={name = folder, root = \"" + data + "\", val-fraction = 0.25}",
        "--set", "model.output=sigmoid",
        "--set", "model.backbone={name = simple-conv, widths = [16, 16]}",
        "--set", "loss=[{name = cross-entropy, class-balance = median-frequency}, {name = dice, weight = 0.5, class-weights = [0, 1]}]",
        "--set", "data.height=" + H, "--set", "data.width=" + W,
        "--set", "train.epochs=4", "--set", "train.batch-size=3", "--set", "eval.batch-size=3",
        "--set", "optimizer.learning-rate=3e-3", "--set", "output.pictures=false"));
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
  }

  @BeforeAll
  static void train() throws IOException {
    data = temp.resolve("data");
    writeDataset(data);
    run = temp.resolve("run");
    CommandLineEndToEndTest.Result r = CommandLineEndToEndTest.main(args("train", "--out", run.toString()));
    assertEquals(0, r.status(), r.err());
  }

  @Test
  void aSigmoidModelTrainsOnAWeightedPairOfLosses() {
    Config metrics = ConfigFactory.parseFile(run.resolve("metrics.json").toFile());
    List<? extends Config> epochs = metrics.getConfigList("epochs");
    double first = epochs.get(0).getDouble("train_loss");
    double last = epochs.get(epochs.size() - 1).getDouble("train_loss");
    assertTrue(last < 0.8 * first, "train loss went " + first + " -> " + last);
    assertEquals(2, epochs.get(epochs.size() - 1).getConfig("metrics.confusion.iou").root().size());
    assertTrue(epochs.get(epochs.size() - 1).getDouble("metrics.confusion.miou") > 0.5, metrics.root().render());
  }

  @Test
  void theTrainClassFrequenciesAreKeptWithTheRunAndEvaluateUsesThem() throws IOException {
    Path file = run.resolve("class-frequencies.json");
    Config counted = ConfigFactory.parseFile(file.toFile());
    assertEquals(9, counted.getInt("images"), "12 images less a quarter for validation");
    List<? extends Config> classes = counted.getConfigList("classes");
    assertEquals(List.of("background", "foreground"), classes.stream().map(c -> c.getString("name")).toList());
    assertEquals(9L * W * H, classes.get(0).getLong("pixels") + classes.get(1).getLong("pixels"));
    assertTrue(classes.get(1).getDouble("median_frequency_weight") > classes.get(0).getDouble("median_frequency_weight"),
        "the rarer foreground weighs more");

    Config metrics = ConfigFactory.parseFile(run.resolve("metrics.json").toFile());
    double recorded = metrics.getConfigList("epochs").stream()
        .filter(e -> e.getDouble("metrics.confusion.miou") == metrics.getDouble("best.value"))
        .findFirst().orElseThrow().getDouble("val_loss");
    assertEquals(recorded, evaluatedLoss("eval.json"), 1e-6, "same weights, same validation loss");

    // Other counts beside the checkpoint change the weights, so evaluate must be reading them.
    String original = Files.readString(file);
    try {
      Files.writeString(file, original.replaceFirst("\"pixels\" : \\d+", "\"pixels\" : 1"));
      assertNotEquals(recorded, evaluatedLoss("eval-tampered.json"), 1e-3);
    } finally {
      Files.writeString(file, original);
    }
  }

  private static double evaluatedLoss(String json) {
    Path out = temp.resolve(json);
    CommandLineEndToEndTest.Result r =
        CommandLineEndToEndTest.main(args("evaluate", "--checkpoint", run.toString(), "--json", out.toString()));
    assertEquals(0, r.status(), r.err());
    return ConfigFactory.parseFile(out.toFile()).getDouble("loss");
  }
}
