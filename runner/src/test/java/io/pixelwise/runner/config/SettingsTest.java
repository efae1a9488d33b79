package io.pixelwise.runner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SettingsTest {
  private static final Config REFERENCE = ConfigFactory.defaultReference();

  private static Settings read(String overrides) {
    return Settings.from(ConfigFactory.parseString(overrides).withFallback(REFERENCE).resolve());
  }

  private static String refused(String overrides) {
    return assertThrows(IllegalArgumentException.class, () -> read(overrides)).getMessage();
  }

  @Test
  void theDefaultsReadAsTheReferenceSaysThem() {
    Settings s = read("");
    assertEquals("synthetic-streets", s.dataset().name());
    assertEquals("simple-conv", s.model().backbone().name());
    assertEquals("bilinear", s.model().head().name());
    assertFalse(s.model().sigmoid());
    assertEquals(Optional.empty(), s.model().initFrom());
    assertEquals(List.of("cross-entropy"), s.losses().stream().map(t -> t.spec().name()).toList());
    assertEquals(1.0, s.losses().get(0).weight());
    assertEquals(256, s.data().size().width());
    assertEquals(128, s.data().size().height());
    assertEquals(3, s.data().channels());
    assertTrue(s.data().augment().isNone());
    assertEquals(30, s.train().epochs());
    assertEquals(10, s.train().batchSize());
    assertEquals(31415L, s.train().seed());
    assertEquals(1e-4f, s.train().weightDecay());
    assertEquals("confusion.miou", s.train().bestBy());
    assertEquals(0, s.train().nonFiniteLoss().rollbacksAllowed(), "action = stop rolls nothing back");
    assertEquals(1e-3, s.optimizer().learningRate());
    assertEquals(1e-3, s.optimizer().schedule().over(1e-3, 100).at(0), 1e-12);
    assertEquals(0.0, s.optimizer().schedule().over(1e-3, 100).at(100), 1e-12);
    assertEquals(List.of("confusion"), s.eval().metrics().stream().map(ComponentSpec::name).toList());
    assertEquals(Optional.empty(), s.cluster());
    assertEquals(null, s.runtime().trainingLossScale(), "float32 scales no loss");
    assertEquals(6, s.output().samplesToDraw());
    assertEquals(0, read("output.pictures = false, output.tensorboard = false").output().samplesToDraw());
  }

  @Test
  void everyValueCheckNamesItsKeyAndWhatWasExpected() {
    assertEquals("train.batch-size must be >= 1, got 0", refused("train.batch-size = 0"));
    assertEquals("train.epochs must be >= 1, got -2", refused("train.epochs = -2"));
    assertEquals("data.workers must be >= 1, got 0", refused("data.workers = 0"));
    assertEquals("eval.batch-size must be >= 1, got 0", refused("eval.batch-size = 0"));
    assertEquals("train.keep-checkpoints must be >= 1, got 0", refused("train.keep-checkpoints = 0"));
    assertEquals("train.early-stopping-patience must be >= 0, got -1", refused("train.early-stopping-patience = -1"));
    assertEquals("train.non-finite-loss.action: expected stop or rollback, got 'retry'",
        refused("train.non-finite-loss.action = retry"));
    assertEquals("train.non-finite-loss.lr-factor: expected a number in (0, 1], got 2.0",
        refused("train.non-finite-loss.lr-factor = 2"));
    assertEquals("train.weight-decay: expected a number >= 0, got -1.0", refused("train.weight-decay = -1"));
    assertEquals("train.max-steps: expected 0 (no limit) or more, got -5", refused("train.max-steps = -5"));
    assertEquals("model.output: expected softmax or sigmoid, got 'tanh'", refused("model.output = tanh"));
    assertEquals("model.init-from-channels: expected bgr or rgb, got 'gbr'", refused("model.init-from-channels = gbr"));
    assertEquals("data.normalization: expected config or train-split, got 'auto'", refused("data.normalization = auto"));
    assertEquals("data.augment.scale: expected [min, max], got [1.0]", refused("data.augment.scale = [1]"));
    assertTrue(refused("data.augment.scale = [2, 1]").startsWith("data.augment.scale: expected [min, max] with 0 < min"));
    assertEquals("data.mean and data.std need one value per channel (3 for RGB, 1 for grey), got 3 and 1",
        refused("data.std = [1]"));
    assertEquals("data.max-image-pixels must be positive, got 0", refused("data.max-image-pixels = 0"));
    assertEquals("optimizer.name: unknown optimizer 'sgd'; known: adam, momentum", refused("optimizer.name = sgd"));
    assertEquals("optimizer.learning-rate: expected a number > 0, got 0.0", refused("optimizer.learning-rate = 0"));
    assertEquals("schedule.name: unknown schedule 'cosine'; known: poly, constant", refused("schedule.name = cosine"));
    assertEquals("schedule.warmup-steps: expected 0 or more, got -1", refused("schedule.warmup-steps = -1"));
    assertEquals("runtime.onednn: expected auto, on or off, got 'maybe'", refused("runtime.onednn = maybe"));
    assertEquals("output.sample-images must be >= 0, got -1", refused("output.sample-images = -1"));
    assertTrue(refused("cluster.workers = [\"a:1\"], cluster.task-index = 3").startsWith("cluster.task-index = 3"));
    assertEquals("loss[0].weight: expected a number > 0, got 0.0",
        refused("loss = [{name = cross-entropy, weight = 0}]"));
  }

  @Test
  void settingsTypeWhatTheyRead() {
    Settings s = read("model.output = sigmoid, model.init-from = \"w.h5\", model.init-from-channels = rgb,"
        + " data.normalization = train-split, data.augment.scale = [0.5, 2], train.non-finite-loss.action = rollback,"
        + " schedule.name = constant, runtime.precision = mixed-float16-emulated, data.mean = [0.5], data.std = [2]");
    assertTrue(s.model().sigmoid());
    assertEquals(Optional.of(Path.of("w.h5")), s.model().initFrom());
    assertFalse(s.model().initFromBgr());
    assertTrue(s.data().trainSplitNormalization());
    assertEquals(1, s.data().channels());
    assertEquals(0.5, s.data().augment().minScale());
    assertEquals(3, s.train().nonFiniteLoss().rollbacksAllowed());
    assertEquals(7e-4, s.optimizer().schedule().over(7e-4, 100).at(99), 1e-12);
    assertEquals(32768f, s.runtime().trainingLossScale().initial());
    DataSettings measured = s.data().withStatistics(List.of(0.25), List.of(3.0));
    assertFalse(measured.trainSplitNormalization(), "measured statistics are the config's from then on");
    assertEquals(List.of(3.0), measured.std());
  }

  /**
   * The settings records are the only code that reads config keys: no other class of the runner,
   * the engine or imaging calls a getter of Typesafe Config with a key.
   */
  @Test
  void onlyTheSettingsReadConfigKeys() throws IOException {
    Pattern getter = Pattern.compile(
        "\\.(get(Int|Long|Double|Boolean|String|Number|Bytes|Duration|Memory|Enum|Config|Object|Value|List|AnyRef"
            + "|IntList|LongList|DoubleList|BooleanList|StringList|NumberList|ConfigList|ObjectList|AnyRefList"
            + "|BytesList|DurationList|MemorySizeList)|hasPath|hasPathOrNull)\\(\"");
    Path config = Path.of("src/main/java/io/pixelwise/runner/config");
    List<Path> roots =
        List.of(Path.of("src/main/java"), Path.of("../engine/src/main/java"), Path.of("../imaging/src/main/java"));
    List<String> offenders = new ArrayList<>();
    for (Path root : roots) {
      try (Stream<Path> files = Files.walk(root)) {
        List<Path> sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        assertTrue(sources.size() > 3, "only " + sources.size() + " sources under " + root.toAbsolutePath());
        for (Path f : sources) {
          if (f.startsWith(config)) {
            continue;
          }
          List<String> lines = Files.readAllLines(f);
          for (int i = 0; i < lines.size(); i++) {
            Matcher m = getter.matcher(lines.get(i));
            if (m.find()) {
              offenders.add(f + ":" + (i + 1) + ": " + lines.get(i).trim());
            }
          }
        }
      }
    }
    assertEquals(List.of(), offenders, "config keys read outside io.pixelwise.runner.config's settings");
  }
}
