package io.pixelwise.runner.config;

import static io.pixelwise.runner.config.TestConfigs.load;
import static io.pixelwise.runner.config.TestConfigs.problems;
import static io.pixelwise.runner.config.TestConfigs.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigValidatorTest {
  @TempDir Path dir;

  private static void assertOne(List<String> problems, String expected) {
    assertEquals(List.of(expected), problems);
  }

  @Test
  void validExperimentMergesOverDefaults() {
    String f = write(dir, "exp.conf", "train.epochs = 3\ndata.mean = [1, 2, 3]\n");
    Config c = load(f).config();
    assertEquals(3, c.getInt("train.epochs"));
    assertEquals(10, c.getInt("train.batch-size"));
    assertEquals(List.of(1, 2, 3), c.getIntList("data.mean"));
    assertEquals("simple-conv", c.getString("model.backbone"));
  }

  @Test
  void unknownTopLevelKeySuggestsTheClosestKey() {
    String f = write(dir, "exp.conf", "# typo\ntrian.epochs = 3\n");
    assertOne(problems(f), "trian.epochs: unknown key (" + f + ": 2); did you mean train.epochs?");
  }

  @Test
  void unknownNestedKeySuggestsTheClosestSibling() {
    String f = write(dir, "exp.conf", "train {\n  epoch = 3\n}\n");
    assertOne(problems(f), "train.epoch: unknown key (" + f + ": 2); did you mean train.epochs?");
  }

  @Test
  void unknownKeyWithoutCloseMatchListsTheValidKeys() {
    String f = write(dir, "exp.conf", "train.colour = red\nflavour = sweet\n");
    assertEquals(
        List.of(
            "flavour: unknown key (" + f + ": 2); valid top-level keys: backbones, data, dataset, datasets,"
                + " eval, heads, loss, losses, metrics, model, train",
            "train.colour: unknown key (" + f + ": 1); valid keys in train: batch-size, best-by, epochs, seed"),
        problems(f));
  }

  @Test
  void everyLeafOfAnUnknownObjectIsNamed() {
    String f = write(dir, "exp.conf", "trian {\n  epochs = 3\n  seed = 1\n}\n");
    assertEquals(
        List.of(
            "trian.epochs: unknown key (" + f + ": 2); did you mean train.epochs?",
            "trian.seed: unknown key (" + f + ": 3); did you mean train.seed?"),
        problems(f));
  }

  @Test
  void listsAreLeaves() {
    // Objects inside a list are not matched key by key against the reference.
    String f = write(dir, "exp.conf", "metrics.confusion.ignore = [{anything = 1}]\n");
    assertEquals(List.of(), problems(f));
  }

  @Test
  void wrongTypeNamesKeyTypeFileAndLine() {
    String f = write(dir, "exp.conf", "train {\n  seed = 1\n  epochs = \"many\"\n}\n");
    assertOne(problems(f), "train.epochs: expected a number, got a string \"many\" (" + f + ": 3)");
  }

  @Test
  void wrongTypesOfObjectsListsAndElements() {
    String f = write(dir, "exp.conf", "train = 3\ndata.mean = [1, x, 3]\ndata.hflip = maybe\ndata.height = [1]\n");
    assertEquals(
        List.of(
            "data.height: expected a number, got a list (" + f + ": 4)",
            "data.hflip: expected a boolean, got a string \"maybe\" (" + f + ": 3)",
            "data.mean[1]: expected a number, got a string \"x\" (" + f + ": 2)",
            "train: expected an object, got a number 3 (" + f + ": 1)"),
        problems(f).subList(0, 4));
  }

  @Test
  void substitutionBrokenByAnotherProblemIsReportedLast() {
    // The reference's eval.batch-size = ${train.batch-size} cannot resolve once train is a number.
    String f = write(dir, "exp.conf", "train = 3\nmodel.backbone = resnet\n");
    List<String> problems = problems(f);
    assertEquals(3, problems.size(), problems.toString());
    assertEquals("model.backbone: unknown backbone 'resnet' (" + f + ": 2); known backbones: simple-conv, tiny",
        problems.get(1));
    assertTrue(problems.get(2).contains("${train.batch-size}"), problems.get(2));
  }

  @Test
  void stringsThatTheGettersConvertAreAccepted() {
    String f = write(dir, "exp.conf", "train.epochs = \"3\"\ndata.hflip = off\ntrain.best-by = 12\n");
    Config c = load(f).config();
    assertEquals(3, c.getInt("train.epochs"));
    assertEquals(false, c.getBoolean("data.hflip"));
    assertEquals("12", c.getString("train.best-by"));
  }

  @Test
  void nullWhereAValueIsExpected() {
    String f = write(dir, "exp.conf", "train.epochs = null\n");
    assertOne(problems(f), "train.epochs: expected a number, got null (" + f + ": 1)");
  }

  @Test
  void unknownComponentNameListsTheKnownNames() {
    String f = write(dir, "exp.conf", "\n\n\nmodel.backbone = resnet\n");
    assertOne(problems(f), "model.backbone: unknown backbone 'resnet' (" + f + ": 4); known backbones: simple-conv, tiny");
  }

  @Test
  void unknownNameInAnObjectChoice() {
    String f = write(dir, "exp.conf", "loss {\n  name = focal\n  gamma = 2\n}\n");
    assertOne(problems(f), "loss: unknown loss 'focal' (" + f + ": 2); known losses: cross-entropy, dice");
  }

  @Test
  void objectChoiceWithUnknownOption() {
    String f = write(dir, "exp.conf", "model.backbone {\n  name = simple-conv\n  filterz = 48\n  depth = 3\n}\n");
    assertEquals(
        List.of(
            "model.backbone.depth: unknown option of backbone 'simple-conv' (" + f + ": 4); valid keys in"
                + " backbones.simple-conv: block, filters, kernel-init, widths",
            "model.backbone.filterz: unknown option of backbone 'simple-conv' (" + f + ": 3); did you mean"
                + " model.backbone.filters?"),
        problems(f));
  }

  @Test
  void objectChoiceOptionsAreCheckedDeepAndTyped() {
    String f = write(dir, "exp.conf",
        "model.backbone { name = simple-conv, filters = lots, block { conv = 3 } }\n");
    assertEquals(
        List.of(
            "model.backbone.block.conv: unknown key (" + f + ": 1); did you mean model.backbone.block.convs?",
            "model.backbone.filters: expected a number, got a string \"lots\" (" + f + ": 1)"),
        problems(f));
  }

  @Test
  void optionsOfAComponentWithoutDefaults() {
    String f = write(dir, "exp.conf", "model.backbone { name = tiny, width = 3 }\n");
    assertOne(problems(f), "model.backbone.width: unknown option of backbone 'tiny' (" + f + ": 1); backbone 'tiny'"
        + " has no options");
  }

  @Test
  void objectChoiceNeedsAName() {
    String f = write(dir, "exp.conf", "model.backbone { filters = 48 }\n");
    List<String> problems = problems(f);
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).startsWith("model.backbone: a backbone object needs a name"), problems.get(0));
    assertTrue(problems.get(0).contains("known backbones: simple-conv, tiny"), problems.get(0));
  }

  @Test
  void choiceOfTheWrongShape() {
    String f = write(dir, "exp.conf", "model.head = 3\nmodel.backbone = [simple-conv, tiny]\n");
    assertEquals(
        List.of(
            "model.backbone: expected one backbone (a name, or an object with a name and options), got a list (" + f
                + ": 2)",
            "model.head: expected a head name, or an object with a name and options, got a number 3 (" + f
                + ": 1); known heads: bilinear"),
        problems(f));
  }

  @Test
  void unknownNameInAComponentSection() {
    String f = write(dir, "exp.conf", "backbones.resnet.filters = 3\nbackbones.simple-conv.filterz = 3\n");
    assertEquals(
        List.of(
            "backbones.resnet: unknown backbone 'resnet' (" + f + ": 1); known backbones: simple-conv, tiny",
            "backbones.simple-conv.filterz: unknown key (" + f + ": 2); did you mean backbones.simple-conv.filters?"),
        problems(f));
  }

  @Test
  void metricsListOfChoices() {
    String f = write(dir, "exp.conf",
        "eval.metrics = [confusion, {name = accuracy}, {name = iou}, {name = confusion, ignore = [0]}]\n");
    assertEquals(
        List.of(
            "eval.metrics[2]: unknown metric 'iou' (" + f + ": 1); known metrics: accuracy, confusion",
            "eval.metrics[3]: metric 'confusion' is listed twice (" + f + ": 1)"),
        problems(f));
  }

  @Test
  void defaultsAreValidatedToo() {
    // A default naming a component that no plugin registers fails before any work.
    Config user = com.typesafe.config.ConfigFactory.empty();
    var known = new java.util.HashMap<>(TestConfigs.KNOWN);
    known.put(io.pixelwise.api.plugin.ComponentKind.DATASET, java.util.Set.of("other"));
    List<String> problems = ConfigValidator.problems(user, TestConfigs.REFERENCE, known);
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).startsWith("dataset: unknown dataset 'synth' ("), problems.get(0));
    assertTrue(problems.get(0).endsWith("known datasets: other"), problems.get(0));
  }

  @Test
  void substitutionsSeeTheExperimentAndTheDefaults() {
    String f = write(dir, "exp.conf",
        "train.batch-size = 4\ndata.mean = ${data.mean} [9]\ntrain.seed = ${train.epochs}\n");
    Config c = load(f).config();
    assertEquals(4, c.getInt("eval.batch-size"));
    assertEquals(4, c.getDoubleList("data.mean").size());
    assertEquals(30, c.getInt("train.seed"));
  }

  @Test
  void unresolvableSubstitutionNamesTheFile() {
    String f = write(dir, "exp.conf", "train.epochs = ${trian.epochs}\ntrain.epoch = 1\n");
    List<String> problems = problems(f);
    assertEquals(2, problems.size(), problems.toString());
    assertEquals("train.epoch: unknown key (" + f + ": 2); did you mean train.epochs?", problems.get(0));
    assertTrue(problems.get(1).startsWith(f + ": 1: "), problems.get(1));
    assertTrue(problems.get(1).contains("${trian.epochs}"), problems.get(1));
  }

  @Test
  void allProblemsAreReportedTogether() {
    String f = write(dir, "exp.conf", String.join("\n",
        "trian.epochs = 3",
        "train.epochs = many",
        "model.backbone = resnet",
        "model.head { name = bilinear, endpont = x }",
        ""));
    ConfigProblemsException e = assertThrows(ConfigProblemsException.class, () -> load(f));
    assertEquals(4, e.problems().size(), e.getMessage());
    String[] lines = e.getMessage().split("\n");
    assertEquals("4 problems in the config:", lines[0]);
    assertEquals(5, lines.length);
    assertTrue(e.getMessage().contains("trian.epochs: unknown key (" + f + ": 1)"));
    assertTrue(e.getMessage().contains("train.epochs: expected a number, got a string \"many\" (" + f + ": 2)"));
    assertTrue(e.getMessage().contains("model.backbone: unknown backbone 'resnet' (" + f + ": 3)"));
    assertTrue(e.getMessage().contains("model.head.endpont: unknown option of head 'bilinear' (" + f + ": 4);"
        + " did you mean model.head.endpoint?"));
  }

  @Test
  void aSingleProblemIsTheWholeMessage() {
    String f = write(dir, "exp.conf", "train.epoch = 3\n");
    ConfigProblemsException e = assertThrows(ConfigProblemsException.class, () -> load(f));
    assertEquals("train.epoch: unknown key (" + f + ": 1); did you mean train.epochs?", e.getMessage());
    assertTrue(e instanceof IllegalArgumentException);
  }

  @Test
  void suggestionDistance() {
    assertEquals(1, ConfigSupport.distance("trian", "train"));
    assertEquals(1, ConfigSupport.distance("batch_size", "batch-size"));
    assertEquals(List.of("epochs"), ConfigSupport.closest("epoch", java.util.Set.of("epochs", "seed")));
    assertEquals(List.of(), ConfigSupport.closest("lr", java.util.Set.of("dir", "seed")));
  }

  @Test
  void aWeightedListOfLosses() {
    String ok = write(dir, "ok.conf", "loss = [{name = cross-entropy, weight = 1.0}, {name = dice, weight = 0.5}]\n");
    assertEquals(List.of(), problems(ok));
    String f = write(dir, "bad.conf", String.join("\n",
        "loss = [",
        "  {name = cross-entropy, weight = heavy}",
        "  {name = dice, smoth = 1}",
        "  cross-entropy",
        "]",
        ""));
    assertEquals(
        List.of(
            "loss[0].weight: expected a number, got a string \"heavy\" (" + f + ": 2)",
            "loss[1].smoth: unknown option of loss 'dice' (" + f + ": 3); loss 'dice' has no options",
            "loss[2]: loss 'cross-entropy' is listed twice (" + f + ": 4)"),
        problems(f));
  }
}
