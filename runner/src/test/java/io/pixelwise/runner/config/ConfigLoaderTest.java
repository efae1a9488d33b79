package io.pixelwise.runner.config;

import static io.pixelwise.runner.config.TestConfigs.load;
import static io.pixelwise.runner.config.TestConfigs.problems;
import static io.pixelwise.runner.config.TestConfigs.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.pixelwise.api.plugin.ComponentKind;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void includeIsRelativeToTheFile() {
    write(dir, "sub/base.conf", "train { epochs = 2, batch-size = 4 }\nmodel.backbone = tiny\n");
    String f = write(dir, "sub/exp.conf", "include \"base.conf\"\ntrain.epochs = 7\n");
    Config c = load(f).config();
    assertEquals(7, c.getInt("train.epochs"));
    assertEquals(4, c.getInt("train.batch-size"));
    assertEquals("tiny", c.getString("model.backbone"));
  }

  @Test
  void problemsInAnIncludedFileNameThatFile() {
    String base = write(dir, "base.conf", "\ntrain.epoch = 2\n");
    String f = write(dir, "exp.conf", "include \"base.conf\"\n");
    assertEquals(List.of("train.epoch: unknown key (" + base + ": 2); did you mean train.epochs?"), problems(f));
  }

  @Test
  void classPathRecipeWithInclude() throws Exception {
    // Stands in for the recipes jar: conf/recipe.conf includes conf/recipe-base.conf.
    URL root = getClass().getClassLoader().getResource("config/recipes/");
    try (URLClassLoader recipes = new URLClassLoader(new URL[] {root}, null)) {
      List<ClassLoader> loaders = List.of(getClass().getClassLoader(), recipes);
      for (String arg : List.of("recipe", "recipe.conf", "conf/recipe.conf")) {
        Config user = ConfigLoader.read(arg, List.of(), loaders);
        Config c = LoadedConfig.of(user, TestConfigs.REFERENCE, TestConfigs.KNOWN).config();
        assertEquals(7, c.getInt("train.epochs"), arg);
        assertEquals(4, c.getInt("train.batch-size"), arg);
        assertEquals("tiny", c.getString("model.backbone"), arg);
        assertTrue(user.getValue("train.epochs").origin().description().startsWith("conf/recipe.conf"));
      }
    }
  }

  @Test
  void fileWinsOverARecipeOfTheSameName() throws Exception {
    URL root = getClass().getClassLoader().getResource("config/recipes/");
    try (URLClassLoader recipes = new URLClassLoader(new URL[] {root}, null)) {
      String f = write(dir, "conf/recipe.conf", "train.epochs = 1\n");
      Config user = ConfigLoader.read(f, List.of(), List.of(recipes));
      assertEquals(1, user.getInt("train.epochs"));
    }
  }

  @Test
  void missingFileNamesWhatWasTried() {
    String missing = dir.resolve("nope.conf").toString();
    ConfigProblemsException e = assertThrows(ConfigProblemsException.class, () -> load(missing));
    assertTrue(e.getMessage().startsWith("experiment file not found: " + missing + " (looked for " + missing),
        e.getMessage());
    assertTrue(e.getMessage().contains("conf/" + missing + ".conf"), e.getMessage());
  }

  @Test
  void directoryIsNotAnExperiment() {
    ConfigProblemsException e = assertThrows(ConfigProblemsException.class, () -> load(dir.toString()));
    assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
  }

  @Test
  void syntaxErrorNamesTheFileAndLine() {
    String f = write(dir, "exp.conf", "train {\n  epochs = 3\n  seed = [1,\n");
    ConfigProblemsException e = assertThrows(ConfigProblemsException.class, () -> load(f));
    assertTrue(e.getMessage().startsWith("invalid HOCON: " + f + ": 4: "), e.getMessage());
    assertEquals(1, e.problems().size());
  }

  @Test
  void overridesWinOverTheFileAndLaterOnesWin() {
    String f = write(dir, "exp.conf", "train.epochs = 5\nmodel.backbone { name = simple-conv, filters = 48 }\n");
    Config c = load(f,
        "train.epochs=3",
        "model.backbone=tiny",
        "data.mean=[1,2,3]",
        "train.seed = 9",
        "train.seed=${train.epochs}",
        "eval.metrics=[accuracy, {name = confusion, ignore = [0]}]",
        "heads.bilinear.endpoint=")
        .config();
    assertEquals(3, c.getInt("train.epochs"));
    assertEquals("tiny", c.getString("model.backbone"));
    assertEquals(List.of(1, 2, 3), c.getIntList("data.mean"));
    assertEquals(3, c.getInt("train.seed"));
    assertEquals(2, ComponentSpecs.list(c, ComponentKind.METRIC, "eval.metrics").size());
    assertEquals("", c.getString("heads.bilinear.endpoint"));
  }

  @Test
  void overrideCanChooseAComponentWithOptions() {
    String f = write(dir, "exp.conf", "");
    Config c = load(f, "model.backbone={name = simple-conv, filters = 16}").config();
    ComponentSpec spec = ComponentSpecs.single(c, ComponentKind.BACKBONE, "model.backbone");
    assertEquals(16, spec.options().getInt("filters"));
  }

  @Test
  void plainWordsThatAreNotHoconAreStrings() {
    Config sets = ConfigLoader.overrides(List.of("heads.bilinear.endpoint=C:\\runs", "train.best-by=http://x/y"));
    assertEquals("C:\\runs", sets.getString("heads.bilinear.endpoint"));
    assertEquals("http://x/y", sets.getString("train.best-by"));
  }

  @Test
  void problemsFromAnOverrideNameIt() {
    String f = write(dir, "exp.conf", "");
    assertEquals(
        List.of("train.epohcs: unknown key (--set train.epohcs=1); did you mean train.epochs?",
            "train.epochs: expected a number, got a string \"many\" (--set train.epochs=many)"),
        problems(f, "train.epochs=many", "train.epohcs=1"));
  }

  @Test
  void malformedOverridesAreAllReported() {
    String f = write(dir, "exp.conf", "");
    ConfigProblemsException e = assertThrows(ConfigProblemsException.class,
        () -> load(f, "train.epochs", "=3", "data.mean=[1,2", "train.epochs=1, train.seed=2", "a..b=1"));
    List<String> p = e.problems();
    assertEquals(5, p.size(), e.getMessage());
    assertEquals("--set train.epochs: expected KEY=VALUE, e.g. --set train.epochs=3", p.get(0));
    assertEquals("--set =3: no key before '='", p.get(1));
    assertTrue(p.get(2).startsWith("--set data.mean=[1,2: the value is not valid HOCON: "), p.get(2));
    assertEquals("--set train.epochs=1, train.seed=2: sets more than one key; use one --set per key", p.get(3));
    assertTrue(p.get(4).startsWith("--set a..b=1: 'a..b' is not a valid key"), p.get(4));
  }

  @Test
  void missingFileAndBadOverrideTogether() {
    ConfigProblemsException e = assertThrows(ConfigProblemsException.class,
        () -> load(dir.resolve("nope.conf").toString(), "oops"));
    assertEquals(2, e.problems().size(), e.getMessage());
  }

  @Test
  void renderedConfigLoadsBackToTheSameConfig() {
    String f = write(dir, "exp.conf", String.join("\n",
        "model.backbone { name = simple-conv, filters = 48, block.convs = 3 }",
        "eval.metrics = [accuracy, {name = confusion, ignore = [0]}]",
        "train.best-by = \"accuracy.value\"",
        "heads.bilinear.endpoint = \"block 2: odd, \\\"quoted\\\"\"",
        "data.mean = [1.5, 2, 3e2]",
        ""));
    LoadedConfig first = load(f, "train.epochs=3");
    String rendered = first.render();
    assertTrue(!rendered.contains("#"), rendered);
    LoadedConfig second = load(write(dir, "run/config.conf", rendered));
    assertEquals(first.config().root(), second.config().root());
    assertEquals(rendered, second.render());
    assertEquals(first.spec("model.backbone"), second.spec("model.backbone"));
    assertEquals(first.specs("eval.metrics"), second.specs("eval.metrics"));
  }
}
