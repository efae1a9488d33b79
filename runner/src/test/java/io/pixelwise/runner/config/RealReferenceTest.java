package io.pixelwise.runner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import io.pixelwise.api.plugin.ComponentKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's own reference.conf (and whichever plugin ones are on the class path). */
class RealReferenceTest {
  private static final List<ClassLoader> LOADERS = List.of(RealReferenceTest.class.getClassLoader());

  @TempDir Path dir;

  /** The names the runner's defaults choose, plus every name with defaults on the class path. */
  private static Map<ComponentKind, Set<String>> known(Config reference) {
    Config resolved = reference.resolve();
    Map<ComponentKind, Set<String>> known = new EnumMap<>(ComponentKind.class);
    for (ComponentKind kind : ComponentKind.values()) {
      known.put(kind, new TreeSet<>());
      if (resolved.hasPath(kind.section())) {
        known.get(kind).addAll(resolved.getObject(kind.section()).keySet());
      }
    }
    for (SpecSlot slot : ComponentSpecs.SLOTS) {
      ComponentSpecs.list(resolved, slot.kind(), slot.path()).forEach(s -> known.get(slot.kind()).add(s.name()));
    }
    return known;
  }

  @Test
  void runnerReferenceHasEverySlotAndValidatesAnExperiment() throws Exception {
    Config reference = ConfigLoader.reference(LOADERS);
    assertEquals(30, reference.getInt("train.epochs"));
    assertTrue(reference.getValue("train.epochs").origin().description().contains("reference.conf"));
    for (SpecSlot slot : ComponentSpecs.SLOTS) {
      assertTrue(reference.hasPath(slot.path()), slot.path());
    }
    Map<ComponentKind, Set<String>> known = known(reference);
    String exp = getClass().getClassLoader().getResource("config/synthetic-like.conf").getPath();

    LoadedConfig loaded = ConfigLoader.load(exp, List.of("train.epochs=2"), LOADERS, known);
    Config c = loaded.config();
    assertEquals(2, c.getInt("train.epochs"));
    assertEquals(96, c.getInt("data.height"));
    assertEquals(2e-3, c.getDouble("optimizer.learning-rate"));
    assertEquals(0.9, c.getDouble("optimizer.beta1"));
    assertEquals("synthetic-streets", loaded.spec("dataset").name());
    assertEquals("simple-conv", loaded.spec("model.backbone").name());
    assertEquals(List.of("confusion"), loaded.specs("eval.metrics").stream().map(ComponentSpec::name).toList());

    Path again = Files.writeString(dir.resolve("config.conf"), loaded.render());
    LoadedConfig reloaded = ConfigLoader.load(again.toString(), List.of(), LOADERS, known);
    assertEquals(c.root(), reloaded.config().root());
  }

  @Test
  void systemPropertiesDoNotLeakIntoTheDefaults() {
    System.setProperty("train.epochs", "999");
    try {
      assertEquals(30, ConfigLoader.reference(LOADERS).getInt("train.epochs"));
    } finally {
      System.clearProperty("train.epochs");
    }
  }

  @Test
  void typosAgainstTheRealReference() {
    Config reference = ConfigLoader.reference(LOADERS);
    String exp = getClass().getClassLoader().getResource("config/synthetic-like.conf").getPath();
    List<String> problems = ConfigValidator.problems(
        ConfigLoader.read(exp, List.of("optimizer.learning_rate=1", "trian.epochs=1"), LOADERS),
        reference, known(reference));
    assertEquals(
        List.of(
            "optimizer.learning_rate: unknown key (--set optimizer.learning_rate=1); did you mean"
                + " optimizer.learning-rate?",
            "trian.epochs: unknown key (--set trian.epochs=1); did you mean train.epochs?"),
        problems);
  }

  @Test
  void sectionsOfTheReferenceAreObjects() {
    Config reference = ConfigLoader.reference(LOADERS).resolve();
    for (ComponentKind kind : ComponentKind.values()) {
      if (reference.hasPath(kind.section())) {
        assertTrue(reference.getValue(kind.section()) instanceof ConfigObject, kind.section());
      }
    }
  }
}
