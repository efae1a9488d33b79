package io.pixelwise.runner.config;

import static io.pixelwise.runner.config.TestConfigs.load;
import static io.pixelwise.runner.config.TestConfigs.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.plugin.ComponentKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComponentSpecsTest {
  @TempDir Path dir;

  @Test
  void nameChoiceGetsTheComponentDefaults() {
    Config c = load(write(dir, "exp.conf", "backbones.simple-conv.filters = 32\n")).config();
    ComponentSpec spec = ComponentSpecs.single(c, ComponentKind.BACKBONE, "model.backbone");
    assertEquals(ComponentKind.BACKBONE, spec.kind());
    assertEquals("model.backbone", spec.path());
    assertEquals("simple-conv", spec.name());
    assertEquals(32, spec.options().getInt("filters"));
    assertEquals(List.of(64, 64), spec.options().getIntList("widths"));
    assertTrue(spec.extra().isEmpty());
  }

  @Test
  void objectChoiceOverridesOverDefaults() {
    Config c = load(write(dir, "exp.conf", String.join("\n",
        "backbones.simple-conv.filters = 32",
        "backbones.simple-conv.kernel-init = glorot-uniform",
        "model.backbone { name = simple-conv, filters = 48, block.convs = ${train.epochs} }",
        "train.epochs = 5",
        ""))).config();
    ComponentSpec spec = ComponentSpecs.single(c, ComponentKind.BACKBONE, "model.backbone");
    assertEquals("simple-conv", spec.name());
    Config o = spec.options();
    assertEquals(48, o.getInt("filters"));
    assertEquals(5, o.getInt("block.convs"));
    assertEquals("glorot-uniform", o.getString("kernel-init"));
    assertEquals(List.of(64, 64), o.getIntList("widths"));
    assertFalse(o.hasPath("name"));
    assertTrue(o.isResolved());
  }

  @Test
  void anObjectSetOverANameInTheFileStillGetsTheDefaults() {
    // The file's string below the override's object marks that object as ignoring fallbacks.
    String f = write(dir, "exp.conf", "model.backbone = simple-conv\n");
    Config c = load(f, "model.backbone={name = simple-conv, filters = 48}").config();
    ComponentSpec spec = ComponentSpecs.single(c, ComponentKind.BACKBONE, "model.backbone");
    assertEquals(48, spec.options().getInt("filters"));
    assertEquals(List.of(64, 64), spec.options().getIntList("widths"));
    assertEquals(2, spec.options().getInt("block.convs"));
  }

  @Test
  void objectChoiceOverAStringChoiceStillGetsTheDefaults() {
    // An included recipe names the backbone; the experiment replaces it with an object. HOCON marks
    // such an object as ignoring fallbacks, which must not cost the options their defaults.
    write(dir, "recipe.conf", "model.backbone = other\n");
    Config c = load(write(dir, "exp.conf", String.join("\n",
        "include \"recipe.conf\"",
        "model.backbone { name = simple-conv, filters = 48 }",
        ""))).config();
    Config o = ComponentSpecs.single(c, ComponentKind.BACKBONE, "model.backbone").options();
    assertEquals(48, o.getInt("filters"));
    assertEquals(List.of(64, 64), o.getIntList("widths"));
  }

  @Test
  void componentWithoutDefaultsGetsOnlyItsOverrides() {
    Config c = load(write(dir, "exp.conf", "model.backbone = tiny\n")).config();
    ComponentSpec spec = ComponentSpecs.single(c, ComponentKind.BACKBONE, "model.backbone");
    assertEquals("tiny", spec.name());
    assertTrue(spec.options().isEmpty());
  }

  @Test
  void metricsListInOrder() {
    Config c = load(write(dir, "exp.conf", "eval.metrics = [accuracy, {name = confusion, ignore = [0, 6]}]\n"))
        .config();
    List<ComponentSpec> specs = ComponentSpecs.list(c, ComponentKind.METRIC, "eval.metrics");
    assertEquals(2, specs.size());
    assertEquals("accuracy", specs.get(0).name());
    assertEquals("eval.metrics[0]", specs.get(0).path());
    assertEquals("confusion", specs.get(1).name());
    assertEquals("eval.metrics[1]", specs.get(1).path());
    assertEquals(List.of(0, 6), specs.get(1).options().getIntList("ignore"));
  }

  @Test
  void defaultMetricsAndSingleSlotRejectsLists() {
    Config c = load(write(dir, "exp.conf", "")).config();
    assertEquals(List.of("confusion"),
        ComponentSpecs.list(c, ComponentKind.METRIC, "eval.metrics").stream().map(ComponentSpec::name).toList());
    assertThrows(IllegalArgumentException.class, () -> ComponentSpecs.single(c, ComponentKind.METRIC, "eval.metrics"));
    assertThrows(IllegalArgumentException.class, () -> ComponentSpecs.single(c, ComponentKind.HEAD, "model.backbone"));
  }

  @Test
  void loadedConfigGivesTheSpecsOfItsSlots() {
    LoadedConfig loaded = load(write(dir, "exp.conf", "loss = dice\n"));
    assertEquals("dice", loaded.spec("loss").name());
    assertEquals("synth", loaded.spec("dataset").name());
    assertEquals(100, loaded.spec("dataset").options().getInt("size"));
    assertEquals(1, loaded.specs("eval.metrics").size());
    assertThrows(IllegalArgumentException.class, () -> loaded.spec("train.epochs"));
  }

  @Test
  void nullDefaultTakesAnyValue() {
    LoadedConfig unset = load(write(dir, "a.conf", ""));
    assertTrue(unset.spec("dataset").options().getIsNull("root"));
    LoadedConfig set = load(write(dir, "b.conf", "dataset { name = synth, root = /data/x }\n"));
    assertEquals("/data/x", set.spec("dataset").options().getString("root"));
  }

  @Test
  void extraKeysOfASlotStayOutOfTheOptions() {
    SpecSlot weighted = ComponentSpecs.slot("loss").orElseThrow();
    Config c = ConfigFactory.parseString(
            "loss = [{name = cross-entropy, weight = 0.5}, dice]\nlosses.dice { smooth = 1 }")
        .resolve();
    List<ComponentSpec> specs = ComponentSpecs.resolve(c, weighted);
    assertEquals(0.5, specs.get(0).extra().getDouble("weight"));
    assertTrue(specs.get(0).options().isEmpty());
    assertEquals(1.0, specs.get(1).extra().getDouble("weight"));
    assertEquals(1, specs.get(1).options().getInt("smooth"));
    assertEquals(Set.of("weight"), weighted.extraKeys());
  }

  @Test
  void everySlotIsInTheTestReference() {
    for (SpecSlot slot : ComponentSpecs.SLOTS) {
      assertTrue(TestConfigs.REFERENCE.hasPath(slot.path()), slot.path());
    }
  }
}
