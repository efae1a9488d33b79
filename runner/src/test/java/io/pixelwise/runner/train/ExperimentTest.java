package io.pixelwise.runner.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.data.ClassFrequencies;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.data.Split;
import io.pixelwise.imaging.ImageDecoding;
import io.pixelwise.runner.config.ConfigLoader;
import io.pixelwise.engine.SegmentationGraph;
import io.pixelwise.engine.WeightedLoss;
import io.pixelwise.runner.plugins.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the experiment turns the loss settings into losses, and where class frequencies come from. */
class ExperimentTest {
  private static final String RECIPE = Path.of("..", "conf", "synthetic-simple.conf").toString();
  private static final PluginRegistry PLUGINS = PluginRegistry.load();

  @TempDir Path dir;

  private static Experiment experiment(String... sets) {
    List<String> all = new ArrayList<>(List.of(
        "data.height=16", "data.width=32", "datasets.synthetic-streets.train-size=4",
        "datasets.synthetic-streets.val-size=2", "data.workers=1"));
    all.addAll(List.of(sets));
    var loaded = ConfigLoader.load(RECIPE, all, List.of(ExperimentTest.class.getClassLoader()), PLUGINS.names());
    return new Experiment(loaded.config(), PLUGINS, new ImageDecoding());
  }

  private static ClassFrequencies countByHand(Experiment e) throws Exception {
    SampleSource train = e.dataset().split(Split.TRAIN);
    ClassFrequencies.Counter counter = new ClassFrequencies.Counter(e.classes().size());
    for (int i = 0; i < train.size(); i++) {
      counter.add(train.load(i).labels());
    }
    return counter.result();
  }

  private static long[] pixels(ClassFrequencies f) {
    long[] p = new long[f.size()];
    for (int c = 0; c < p.length; c++) {
      p[c] = f.pixels(c);
    }
    return p;
  }

  @Test
  void aWeightedListGivesOneTermPerLoss() {
    Experiment e = experiment("loss=[{name = cross-entropy, weight = 1.0}, {name = dice, weight = 0.5, smooth = 2}]");
    List<WeightedLoss.Term> terms = e.losses();
    assertEquals(List.of("cross-entropy", "dice"), terms.stream().map(WeightedLoss.Term::name).toList());
    assertEquals(List.of(1.0, 0.5), terms.stream().map(WeightedLoss.Term::weight).toList());
    assertEquals(1.0, experiment().losses().get(0).weight(), "a single loss weighs 1");
    // The registry's wrapper (context class loader) keeps the factory's kind, which decides
    // whether a loss may train a binary model.
    assertTrue(PLUGINS.loss("dice") instanceof io.pixelwise.api.loss.ContextualLossFactory);
  }

  @Test
  void badLossSettingsFailBeforeAnyWork() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> experiment("losses.cross-entropy.class-weights=[1, 2]"));
    assertTrue(
        e.getMessage().startsWith(
            "losses.cross-entropy.class-weights = [1,2] (--set losses.cross-entropy.class-weights=[1, 2]: 1): 2 weight(s)"
                + " for 7 classes (road, building, infrastructure, nature, sky, person, vehicle)"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> experiment("loss=[cross-entropy, {name = dice, weight = 0}]"));
    assertEquals("loss[1].weight: expected a number > 0, got 0.0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> experiment("model.output=sigmoid"));
    assertTrue(
        e.getMessage().startsWith("model.output = sigmoid needs a dataset with 2 classes (background, foreground);"
            + " 'synthetic-streets' has 7 (road, "),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> experiment("model.output=logistic"));
    assertEquals("model.output: expected softmax or sigmoid, got 'logistic'", e.getMessage());
  }

  @Test
  void noFrequenciesAreCountedUnlessALossAsks() {
    Experiment e = experiment("loss=[cross-entropy, dice]");
    try (SegmentationGraph g = e.buildGraph()) {
      assertTrue(e.usedFrequencies().isEmpty());
    }
  }

  @Test
  void classBalanceCountsTheTrainSplitOnceWhenTheGraphIsBuilt() throws Exception {
    Experiment e = experiment("loss={name = cross-entropy, class-balance = median-frequency}");
    assertTrue(e.usedFrequencies().isEmpty(), "nothing is counted before the graph is built");
    try (SegmentationGraph g = e.buildGraph()) {
      assertTrue(e.countedFrequencies());
      ClassFrequencies f = e.usedFrequencies().orElseThrow();
      assertEquals(4, f.images());
      assertArrayEquals(pixels(countByHand(e)), pixels(f));
    }
  }

  @Test
  void reusesTheFrequenciesStoredWithARun() throws Exception {
    Experiment first = experiment("loss=[{name = cross-entropy, class-balance = inverse-frequency}, dice]");
    ClassFrequencies stored =
        new ClassFrequencies(new long[] {1, 2, 3, 4, 5, 6, 7}, new long[] {10, 20, 30, 40, 50, 60, 70}, 3);
    Path run = Files.createDirectories(dir.resolve("run").resolve("checkpoints")).getParent();
    TrainClassFrequencies.write(run.resolve(TrainClassFrequencies.FILE), stored, first.classes());

    first.reuseFrequenciesOf(CheckpointStore.runFolderOf(run.resolve("checkpoints").resolve("step-0000010")));
    try (SegmentationGraph g = first.buildGraph()) {
      assertFalse(first.countedFrequencies(), "read from the run, not counted");
      ClassFrequencies read = first.usedFrequencies().orElseThrow();
      assertArrayEquals(pixels(stored), pixels(read));
      assertEquals(60, read.imagePixels(5));
      assertEquals(3, read.images());
    }

    // A run folder without the file: counted again.
    Experiment second = experiment("losses.cross-entropy.class-balance=inverse-frequency");
    second.reuseFrequenciesOf(dir.resolve("elsewhere"));
    try (SegmentationGraph g = second.buildGraph()) {
      assertTrue(second.countedFrequencies());
    }
  }

  @Test
  void frequenciesCountedForOtherClassesAreRefused() throws Exception {
    Experiment e = experiment();
    Path file = dir.resolve(TrainClassFrequencies.FILE);
    ClassFrequencies two = new ClassFrequencies(new long[] {1, 2}, new long[] {3, 3}, 1);
    TrainClassFrequencies.write(file, two, new io.pixelwise.api.data.ClassInfo(
        List.of(io.pixelwise.api.data.SegmentationClass.of("background", 0, 0, 0),
            io.pixelwise.api.data.SegmentationClass.of("road", 1, 1, 1)), 255, 0));
    IllegalArgumentException x =
        assertThrows(IllegalArgumentException.class, () -> TrainClassFrequencies.read(file, e.classes()));
    assertTrue(x.getMessage().contains("was counted for the classes [background, road], but the dataset has [road,"), x.getMessage());
  }
}
