package io.pixelwise.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import io.pixelwise.runner.train.CheckpointStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands as a user runs them, on the demo recipe shrunk to seconds: train writes a run
 * folder, evaluate and predict use its checkpoint, and bad input fails before any work with a
 * message that names the culprit.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CommandLineEndToEndTest {
  private static final String RECIPE = Path.of("..", "conf", "synthetic-simple.conf").toString();
  /** The demo, shrunk: 32x64 images, 32 training scenes, 4 epochs. */
  private static final String[] SMALL = {
    "--set", "data.height=32", "--set", "data.width=64",
    "--set", "datasets.synthetic-streets.train-size=32",
    "--set", "datasets.synthetic-streets.val-size=8",
    "--set", "train.epochs=4", "--set", "train.batch-size=8",
    "--set", "eval.batch-size=8", "--set", "optimizer.learning-rate=3e-3",
  };

  @TempDir static Path temp;
  static Path run;

  record Result(int status, String out, String err) {}

  static Result main(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
      int status = Main.run(args);
      return new Result(status, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  static String[] args(String command, String... rest) {
    List<String> all = new ArrayList<>(List.of(command, RECIPE));
    all.addAll(List.of(SMALL));
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
  }

  @BeforeAll
  static void train() {
    run = temp.resolve("run");
    Result r = main(args("train", "--out", run.toString()));
    assertEquals(0, r.status(), r.err());
  }

  @Test
  @Order(1)
  void trainingWritesARunFolderWhoseLossDecreases() throws IOException {
    assertTrue(Files.isRegularFile(run.resolve("config.conf")));
    assertTrue(Files.size(run.resolve("train.log")) > 0, "empty train.log");
    Config resolved = ConfigFactory.parseFile(run.resolve("config.conf").toFile());
    assertEquals(32, resolved.getInt("data.height"), "config.conf is not the resolved config");

    Config metrics = ConfigFactory.parseFile(run.resolve("metrics.json").toFile());
    List<? extends Config> epochs = metrics.getConfigList("epochs");
    assertEquals(4, epochs.size());
    double first = epochs.get(0).getDouble("train_loss");
    double last = epochs.get(3).getDouble("train_loss");
    assertTrue(last < first * 0.9, "train loss went " + first + " -> " + last);
    Config lastEpoch = epochs.get(3);
    assertTrue(lastEpoch.getDouble("train_images_per_second") > 0);
    double miou = lastEpoch.getDouble("metrics.confusion.miou");
    assertTrue(miou > 0 && miou <= 1, "miou " + miou);
    assertEquals(7, lastEpoch.getConfig("metrics.confusion.iou").root().size(), "per-class IoU");
    assertTrue(lastEpoch.hasPath("metrics.confusion.pixel-accuracy"));

    for (String picture : List.of("loss.png", "iou.png", "confusion.png", "samples.png")) {
      BufferedImage image = ImageIO.read(run.resolve(picture).toFile());
      assertTrue(image != null && image.getWidth() > 100, picture + " missing or tiny");
      assertTrue(colours(image) > 3, picture + " is blank");
    }

    Path events;
    try (var files = Files.list(run)) {
      events = files.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents.")).findFirst().orElseThrow();
    }
    List<org.tensorflow.proto.Event> records;
    try {
      records = io.pixelwise.runner.report.TensorBoardWriterTest.read(events);
    } catch (Exception e) {
      throw new AssertionError("event file does not parse: " + e, e);
    }
    double lastMiou = records.stream()
        .flatMap(e -> e.getSummary().getValueList().stream())
        .filter(v -> v.getTag().equals("val/confusion/miou"))
        .reduce((a, b) -> b).orElseThrow().getSimpleValue();
    assertEquals((float) miou, lastMiou, 0f, "TensorBoard mIoU differs from metrics.json");
    assertTrue(records.stream().anyMatch(e -> e.getSummary().getValueList().stream().anyMatch(v -> v.hasImage())),
        "no sample image in the event file");

    String log = Files.readString(run.resolve("train.log"));
    assertTrue(java.util.regex.Pattern.compile("epoch 4/4 32/32 img, [0-9.]+ img/s, ETA 0:00 loss [0-9.]+").matcher(log).find(),
        "no progress line with images, img/s and ETA in train.log");

    String best = metrics.getString("best.checkpoint");
    try (var files = Files.list(run.resolve("checkpoints"))) {
      long kept = files.filter(f -> f.toString().endsWith(".index")).count();
      assertTrue(kept <= 3, kept + " checkpoints kept; train.keep-checkpoints = 2 plus the best");
    }
    assertTrue(Files.isRegularFile(run.resolve("checkpoints").resolve(best + ".index")), best);
  }

  private static long colours(BufferedImage image) {
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 3) {
      for (int x = 0; x < image.getWidth(); x += 3) {
        seen.add(image.getRGB(x, y));
      }
    }
    return seen.size();
  }

  @Test
  @Order(2)
  void evaluatingTheBestCheckpointReproducesItsValidationScore() throws IOException {
    Path json = temp.resolve("eval.json");
    Result r = main(args("evaluate", "--checkpoint", run.toString(), "--json", json.toString()));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("mIoU"), r.out());
    assertTrue(r.out().contains("infrastructure"), "report lacks class names: " + r.out());

    double evaluated = ConfigFactory.parseFile(json.toFile()).getDouble("confusion.miou");
    double recorded = ConfigFactory.parseFile(run.resolve("metrics.json").toFile()).getDouble("best.value");
    assertEquals(recorded, evaluated, 0.0, "restored checkpoint evaluates differently");
  }

  @Test
  @Order(3)
  void evaluationIsIdenticalThroughThePreprocessedCache() throws IOException {
    Path plain = temp.resolve("plain.json");
    Path cached = temp.resolve("cached.json");
    Path cacheDir = temp.resolve("cache");
    assertEquals(0, main(args("evaluate", "--checkpoint", run.toString(), "--json", plain.toString())).status());
    Result r = main(args("evaluate", "--checkpoint", run.toString(), "--json", cached.toString(),
        "--set", "data.cache=true", "--set", "data.cache-dir=\"" + cacheDir.toString().replace("\\", "/") + "\""));
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.list(cacheDir.resolve("synthetic-streets")).anyMatch(p -> p.toString().endsWith(".bin")));
    Config a = ConfigFactory.parseFile(plain.toFile());
    Config b = ConfigFactory.parseFile(cached.toFile());
    assertEquals(a.getDouble("loss"), b.getDouble("loss"), 0.0);
    assertEquals(a.getList("confusion.confusion").unwrapped(), b.getList("confusion.confusion").unwrapped());
  }

  @Test
  void confidenceMetricsGetTheClassProbabilities() {
    Path json = temp.resolve("kitti.json");
    Result r = main(args("evaluate", "--checkpoint", run.toString(), "--json", json.toString(),
        "--set", "eval.metrics=[confusion, kitti-road]"));
    assertEquals(0, r.status(), r.err());
    Config scores = ConfigFactory.parseFile(json.toFile());
    double maxF = scores.getDouble("kitti-road.maxf");
    assertTrue(maxF > 0.3 && maxF <= 1, "road MaxF " + maxF);
    assertTrue(scores.getDouble("kitti-road.ap") > 0, "road AP");
    assertTrue(r.out().contains("MaxF"), r.out());
  }

  @Test
  void datasetStatsCountsImagesAndPixelsPerClass() {
    List<String> command = new ArrayList<>(List.of("datasets", "stats", RECIPE));
    command.addAll(List.of(SMALL));
    Result r = main(command.toArray(String[]::new));
    assertEquals(0, r.status(), r.err());
    Config stats = ConfigFactory.parseString(r.out());
    assertEquals(32, stats.getInt("train.images"));
    assertEquals(8, stats.getInt("val.images"));
    long total = stats.getLong("train.ignore");
    for (String name : stats.getStringList("classes")) {
      total += stats.getLong("train.pixels." + name);
    }
    assertEquals(32L * 32 * 64, total, "every pixel is a class or ignore");
  }

  @Test
  @Order(4)
  void predictWritesLabelAndOverlayImages() throws IOException {
    Path input = temp.resolve("images");
    Files.createDirectories(input);
    BufferedImage photo = new BufferedImage(100, 50, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 50; y++) {
      for (int x = 0; x < 100; x++) {
        photo.setRGB(x, y, y < 20 ? 0x4682B4 : 0x505050);
      }
    }
    ImageIO.write(photo, "png", input.resolve("street.png").toFile());
    Path output = temp.resolve("predicted");

    Result r = main(args("predict", "--checkpoint", run.toString(), "--input", input.toString(), "--output", output.toString()));
    assertEquals(0, r.status(), r.err());
    BufferedImage labels = ImageIO.read(output.resolve("street_labels.png").toFile());
    BufferedImage overlay = ImageIO.read(output.resolve("street_overlay.png").toFile());
    assertEquals(100, labels.getWidth(), "labels are not at the input image's size");
    assertEquals(50, labels.getHeight());
    assertEquals(100, overlay.getWidth());
    int pixel = labels.getRaster().getSample(10, 10, 0);
    assertTrue(pixel < 7, "label image holds class ids, got " + pixel);
  }

  @Test
  @Order(5)
  void anExportedSavedModelPredictsWhatPredictDoes() throws IOException {
    // An image at the input size, so predict's resizing is the identity and labels compare 1:1.
    Path input = Files.createDirectories(temp.resolve("export-input"));
    BufferedImage photo = new BufferedImage(64, 32, BufferedImage.TYPE_3BYTE_BGR);
    java.util.Random random = new java.util.Random(5);
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 64; x++) {
        photo.setRGB(x, y, y < 12 ? 0x5a8cc8 + random.nextInt(8) : 0x606060 + random.nextInt(8) * 0x010101);
      }
    }
    ImageIO.write(photo, "png", input.resolve("frame.png").toFile());
    Path predicted = temp.resolve("export-predicted");
    assertEquals(0, main(args("predict", "--checkpoint", run.toString(), "--input", input.toString(),
        "--output", predicted.toString())).status());
    BufferedImage expected = ImageIO.read(predicted.resolve("frame_labels.png").toFile());

    Path saved = temp.resolve("saved-model");
    Result r = main(args("export", "--checkpoint", run.toString(), "--output", saved.toString()));
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.isRegularFile(saved.resolve("saved_model.pb")));
    assertEquals(7, ConfigFactory.parseFile(saved.resolve("classes.json").toFile()).getConfigList("classes").size());

    byte[] pixels = ((java.awt.image.DataBufferByte) photo.getRaster().getDataBuffer()).getData().clone();
    for (int i = 0; i < pixels.length; i += 3) { // BGR -> RGB
      byte b = pixels[i];
      pixels[i] = pixels[i + 2];
      pixels[i + 2] = b;
    }
    try (org.tensorflow.SavedModelBundle bundle = org.tensorflow.SavedModelBundle.load(saved.toString(), "serve");
        org.tensorflow.types.TUint8 image = org.tensorflow.types.TUint8.tensorOf(
            org.tensorflow.ndarray.Shape.of(1, 32, 64, 3), org.tensorflow.ndarray.buffer.DataBuffers.of(pixels, true, false));
        org.tensorflow.Result out = bundle.function("serving_default").call(java.util.Map.of("images", image))) {
      var labels = (org.tensorflow.types.TUint8) out.get("labels").orElseThrow();
      var probabilities = (org.tensorflow.types.TFloat32) out.get("probabilities").orElseThrow();
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 64; x++) {
          assertEquals(expected.getRaster().getSample(x, y, 0), labels.getByte(0, y, x) & 0xff, "label at (" + x + ", " + y + ")");
        }
      }
      float sum = 0;
      for (int k = 0; k < 7; k++) {
        sum += probabilities.getFloat(0, 5, 5, k);
      }
      assertEquals(1f, sum, 1e-4f);
    }
  }

  @Test
  @Order(6)
  void inspectDrawsFiltersAndActivations() throws IOException {
    Result listing = main(args("inspect", "--checkpoint", run.toString()));
    assertEquals(0, listing.status(), listing.err());
    assertTrue(listing.out().contains("backbone/"), listing.out());
    String kernel = listing.out().lines().map(String::strip).filter(l -> l.startsWith("backbone/") && l.contains("kernel"))
        .findFirst().orElseThrow().split("\\s+")[0];

    Path input = Files.createDirectories(temp.resolve("inspect-input"));
    ImageIO.write(new BufferedImage(64, 32, BufferedImage.TYPE_INT_RGB), "png", input.resolve("frame.png").toFile());
    Path out = temp.resolve("inspected");
    Result r = main(args("inspect", "--checkpoint", run.toString(), "--filters", kernel,
        "--activations", "logits", "--image", input.resolve("frame.png").toString(), "--output", out.toString()));
    assertEquals(0, r.status(), r.err());
    BufferedImage filters = ImageIO.read(out.resolve(kernel.replace('/', '_') + "_filters.png").toFile());
    assertTrue(colours(filters) > 10, "filter grid is blank");
    BufferedImage activations = ImageIO.read(out.resolve("logits_activations.png").toFile());
    assertTrue(activations.getWidth() > 64, "7 logit channels tiled");

    Result bad = main(args("inspect", "--checkpoint", run.toString(), "--filters", "backbone/nope"));
    assertEquals(2, bad.status());
    assertTrue(bad.err().contains(kernel), "known kernels not listed: " + bad.err());
  }

  @Test
  @Order(7)
  void predictWritesKittiStyleConfidenceMaps() throws IOException {
    Path input = Files.createDirectories(temp.resolve("kitti-input"));
    ImageIO.write(new BufferedImage(120, 40, BufferedImage.TYPE_INT_RGB), "png", input.resolve("um_000003.png").toFile());
    ImageIO.write(new BufferedImage(60, 30, BufferedImage.TYPE_INT_RGB), "png", input.resolve("street.png").toFile());
    Path out = temp.resolve("kitti-output");
    Result r = main(args("predict", "--checkpoint", run.toString(), "--input", input.toString(), "--output", out.toString(),
        "--confidence", "road"));
    assertEquals(0, r.status(), r.err());
    BufferedImage devkit = ImageIO.read(out.resolve("um_road_000003.png").toFile());
    assertEquals(120, devkit.getWidth());
    assertEquals(BufferedImage.TYPE_BYTE_GRAY, devkit.getType());
    assertTrue(Files.isRegularFile(out.resolve("street_road_confidence.png")));

    Result bad = main(args("predict", "--checkpoint", run.toString(), "--input", input.toString(), "--output",
        temp.resolve("kitti-bad").toString(), "--confidence", "lane"));
    assertEquals(2, bad.status());
    assertTrue(bad.err().contains("road, building"), bad.err());
  }

  @Test
  void pluginsListsEveryBuiltInName() {
    Result r = main("plugins");
    assertEquals(0, r.status(), r.err());
    for (String name : List.of("simple-conv", "bilinear", "cross-entropy", "focal", "dice", "lovasz-softmax", "ohem", "confusion", "synthetic-streets")) {
      assertTrue(r.out().contains(name), name + " missing from:\n" + r.out());
    }
  }

  @Test
  void configPrintsTheResolvedConfig() {
    Result r = main("config", RECIPE, "--set", "train.epochs=3");
    assertEquals(0, r.status(), r.err());
    Config printed = ConfigFactory.parseString(r.out());
    assertEquals(3, printed.getInt("train.epochs"));
    assertEquals("synthetic-streets", printed.getString("dataset"));
  }

  @Test
  void aTypoInAKeyFailsBeforeTrainingAndNamesTheKey() {
    Result r = main("train", RECIPE, "--set", "train.epoch=3", "--out", temp.resolve("typo").toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("train.epoch"), r.err());
    assertTrue(r.err().contains("train.epochs"), "no suggestion in: " + r.err());
    assertTrue(Files.notExists(temp.resolve("typo")), "a run folder was created for a bad config");
  }

  @Test
  void aDivergingRunStopsNamingTheStepAndImages() throws IOException {
    Path out = temp.resolve("diverged");
    Result r = main(args("train", "--out", out.toString(), "--set", "optimizer.learning-rate=1e30",
        "--set", "train.epochs=2"));
    assertEquals(1, r.status(), "a diverged run must fail");
    assertTrue(r.err().contains("loss became") && r.err().contains("at step"), r.err());
    assertTrue(r.err().contains("train-000"), "the batch's images are not named: " + r.err());
    // The console names each line's level and shows the failure once, without a stack trace;
    // train.log keeps the trace for a bug report.
    assertTrue(java.util.regex.Pattern.compile("(?m)^\\d\\d:\\d\\d:\\d\\d INFO  run folder ").matcher(r.err()).find(), r.err());
    assertFalse(r.err().contains("\tat io.pixelwise"), r.err());
    String log = Files.readString(out.resolve("train.log"));
    assertTrue(log.contains("failures - the run failed") && log.contains("\tat io.pixelwise.runner.train.Trainer"), log);
  }

  @Test
  void verboseShowsTheStackTraceOnTheConsole() {
    Result r = main(args("evaluate", "-v", "--checkpoint", temp.resolve("nowhere").toString()));
    assertEquals(2, r.status());
    assertTrue(r.err().contains("DEBUG failure") && r.err().contains("\tat io.pixelwise.runner"), r.err());
  }

  @Test
  @Order(2)
  void evaluateWithoutConfTakesTheRunsOwnConfig() throws IOException {
    Path json = temp.resolve("eval-run-config.json");
    // No recipe and no --set: the run folder's config.conf has the small sizes it trained with.
    Result r = main("evaluate", "--checkpoint", run.toString(), "--json", json.toString());
    assertEquals(0, r.status(), r.err());
    double evaluated = ConfigFactory.parseFile(json.toFile()).getDouble("confusion.miou");
    double recorded = ConfigFactory.parseFile(run.resolve("metrics.json").toFile()).getDouble("best.value");
    assertEquals(recorded, evaluated, 0.0);

    Path lonely = Files.createDirectories(temp.resolve("lonely"));
    for (String suffix : new String[] {".index", ".data-00000-of-00001"}) {
      Files.copy(Path.of(CheckpointStore.resolve(run) + suffix), lonely.resolve("step-1" + suffix));
    }
    r = main("evaluate", "--checkpoint", lonely.resolve("step-1").toString());
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("missing CONF, and the checkpoint " + lonely.resolve("step-1")), r.err());
  }

  @Test
  void aDivergingRunCanRollBackAndGoOn() throws IOException {
    Path out = temp.resolve("rolled-back");
    Result r = main(args("train", "--out", out.toString(), "--set", "optimizer.learning-rate=10",
        "--set", "train.epochs=2", "--set", "output.pictures=false",
        "--set", "train.non-finite-loss.action=rollback", "--set", "train.non-finite-loss.max-rollbacks=6"));
    assertEquals(0, r.status(), r.err());
    var epochs = ConfigFactory.parseFile(out.resolve("metrics.json").toFile()).getConfigList("epochs");
    assertEquals(2, epochs.size());
    assertTrue(epochs.get(1).getInt("rollbacks") >= 1, "no rollback recorded");
    assertTrue(epochs.get(1).getDouble("learning_rate") < 1, "learning rate not lowered");
    assertTrue(Files.readString(out.resolve("train.log")).contains("rolled back to step-0000000"));
  }

  @Test
  void earlyStoppingEndsARunThatNoLongerImproves() throws IOException {
    Path out = temp.resolve("stalled");
    // A learning rate too small to change any prediction: the score never improves after epoch 1.
    Result r = main(args("train", "--out", out.toString(), "--set", "optimizer.learning-rate=1e-12",
        "--set", "train.early-stopping-patience=1", "--set", "output.pictures=false"));
    assertEquals(0, r.status(), r.err());
    var epochs = ConfigFactory.parseFile(out.resolve("metrics.json").toFile()).getConfigList("epochs");
    assertEquals(2, epochs.size(), "stopped after one evaluation without improvement");
    assertTrue(Files.readString(out.resolve("train.log")).contains("early stop after epoch 2"));
  }

  @Test
  void syntaxErrorsAndIncludeCyclesAreNamed() throws IOException {
    Path bad = temp.resolve("bad.conf");
    Files.writeString(bad, "train {\n  epochs = \n");
    Result r = main("config", bad.toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("bad.conf") && r.err().contains(": 3"), r.err());

    Files.writeString(temp.resolve("a.conf"), "include \"b.conf\"\n");
    Files.writeString(temp.resolve("b.conf"), "include \"a.conf\"\n");
    Result cycle = main("config", temp.resolve("a.conf").toString());
    assertEquals(2, cycle.status());
    assertTrue(cycle.err().contains("cycle"), cycle.err());
  }

  @Test
  void aWrongTypeFailsAndNamesTheKey() {
    Result r = main("config", RECIPE, "--set", "train.batch-size=ten");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("train.batch-size"), r.err());
  }

  @Test
  void anUnknownPluginNameListsTheKnownOnes() {
    Result r = main("config", RECIPE, "--set", "model.backbone=resnet-9000");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("resnet-9000"), r.err());
    assertTrue(r.err().contains("simple-conv"), "known names not listed: " + r.err());
  }

  @Test
  void aMissingCheckpointIsAClearError() {
    Result r = main(args("evaluate", "--checkpoint", temp.resolve("nowhere").toString()));
    assertEquals(2, r.status());
    assertTrue(r.err().contains("nowhere"), r.err());
  }
}
