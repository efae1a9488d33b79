package io.pixelwise.runner.cli;

import static io.pixelwise.runner.cli.CommandLineEndToEndTest.main;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.plugin.ApiVersion;
import io.pixelwise.runner.cli.CommandLineEndToEndTest.Result;
import io.pixelwise.runner.plugins.PluginJars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Third-party plugins as a user installs them: the example project's resnet-lite jar, built from
 * its sources here, and a plugin folder bundling its own (conflicting) Guava, both dropped into a
 * plugins folder and used by name from the command line.
 */
class InstalledPluginsEndToEndTest {
  private static final String EXAMPLE_CONF =
      PluginJars.EXAMPLE.resolve("src/main/resources/conf/synthetic-resnet-lite.conf").toString();
  /** The same experiment, as the recipe the plugin's jar bundles. */
  private static final String EXAMPLE_RECIPE = "synthetic-resnet-lite";
  private static final String RECIPE = Path.of("..", "conf", "synthetic-simple.conf").toString();
  /** A few steps on tiny images: 32 scenes of 32x64, batches of 8, 3 epochs = 12 steps. */
  private static final List<String> TINY = List.of(
      "--set", "data.height=32", "--set", "data.width=64",
      "--set", "datasets.synthetic-streets.train-size=32",
      "--set", "datasets.synthetic-streets.val-size=8",
      "--set", "train.epochs=3", "--set", "train.batch-size=8",
      "--set", "eval.batch-size=8", "--set", "optimizer.learning-rate=3e-3");

  @TempDir static Path temp;
  static Path plugins;
  static Path exampleJar;

  @BeforeAll
  static void install() throws IOException {
    plugins = temp.resolve("plugins");
    exampleJar = PluginJars.buildExample(plugins.resolve("resnet-lite-plugin-1.0.0.jar"));
    // A folder plugin: its jar and the Guava it bundles, which differs from the runner's.
    Path lib = temp.resolve("lib");
    Path guava = PluginJars.build(
        lib.resolve("guava-99.0.jar"), PluginJars.TEST_PLUGINS.resolve("bundled-guava/java"), null, List.of(), java.util.Map.of());
    Path probe = Files.createDirectories(plugins.resolve("guava-probe"));
    PluginJars.build(
        probe.resolve("guava-probe.jar"),
        PluginJars.TEST_PLUGINS.resolve("guava-probe/java"),
        PluginJars.TEST_PLUGINS.resolve("guava-probe/resources"),
        List.of(guava),
        PluginJars.manifest(ApiVersion.CURRENT_TEXT, "2.3"));
    Files.copy(guava, probe.resolve("guava-99.0.jar"));
  }

  private static String[] args(String command, String conf, String... rest) {
    List<String> all = new ArrayList<>(List.of(command, conf, "--plugins", plugins.toString()));
    all.addAll(TINY);
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
  }

  @Test
  void pluginsListsEachNameWithKindVersionApiAndJar() {
    Result r = main("plugins", "--plugins", plugins.toString());
    assertEquals(0, r.status(), r.err());
    String line = r.out().lines().filter(l -> l.contains("resnet-lite")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
    assertEquals(
        List.of("backbone", "resnet-lite", "1.0.0", ApiVersion.CURRENT_TEXT, exampleJar.toString(),
            "com.example.resnetlite.ResNetLitePlugin"),
        List.of(line.trim().split("\\s+")));
    assertTrue(r.out().contains(plugins.resolve("guava-probe").toString()), r.out());
    assertTrue(r.out().contains("simple-conv"), "built-ins missing:\n" + r.out());
  }

  @Test
  void configMergesThePluginDefaults() {
    Result r = main(args("config", EXAMPLE_CONF));
    assertEquals(0, r.status(), r.err());
    Config printed = ConfigFactory.parseString(r.out());
    assertEquals(8, printed.getInt("backbones.resnet-lite.groups"), "the plugin's reference.conf is not merged");
    assertEquals(List.of(64, 96), printed.getIntList("model.backbone.widths"));
    assertEquals(16, printed.getInt("backbones.guava-probe.width"));
  }

  @Test
  void theExampleBackboneTrainsAndItsRunEvaluatesFromItsConfig() throws IOException {
    Path run = temp.resolve("run-resnet-lite");
    Result r = main(args("train", EXAMPLE_RECIPE, "--out", run.toString()));
    assertEquals(0, r.status(), r.err());

    Config metrics = ConfigFactory.parseFile(run.resolve("metrics.json").toFile());
    List<? extends Config> epochs = metrics.getConfigList("epochs");
    assertEquals(3, epochs.size());
    double first = epochs.get(0).getDouble("train_loss");
    double last = epochs.get(2).getDouble("train_loss");
    assertTrue(Double.isFinite(last) && last < first, "train loss went " + first + " -> " + last);
    double miou = epochs.get(2).getDouble("metrics.confusion.miou");
    assertTrue(miou > 0 && miou <= 1, "miou " + miou);

    // The run's config names the plugin and its folder, so it needs no --plugins to be used again.
    Config resolved = ConfigFactory.parseFile(run.resolve("config.conf").toFile());
    assertEquals("resnet-lite", resolved.getString("model.backbone.name"));
    assertEquals(plugins.toAbsolutePath().normalize().toString(), resolved.getString("plugins.dir"));
    Path json = temp.resolve("eval.json");
    Result eval = main("evaluate", run.resolve("config.conf").toString(), "--checkpoint", run.toString(), "--json", json.toString());
    assertEquals(0, eval.status(), eval.err());
    assertEquals(metrics.getDouble("best.value"), ConfigFactory.parseFile(json.toFile()).getDouble("confusion.miou"), 0.0,
        "the restored plugin backbone evaluates differently");
  }

  @Test
  void aPluginBundlingAConflictingGuavaTrains() throws IOException {
    Path run = temp.resolve("run-probe");
    Result r = main(args("train", RECIPE, "--out", run.toString(), "--set", "model.backbone=guava-probe", "--set", "train.max-steps=2"));
    assertEquals(0, r.status(), r.err());
    // Logged by the plugin through the runner's SLF4J, with the method only its own Guava has.
    assertTrue(Files.readString(run.resolve("train.log")).contains("guava-probe uses Guava 99.0"),
        Files.readString(run.resolve("train.log")));
    assertTrue(Files.isRegularFile(run.resolve("metrics.json")));
  }

  @Test
  void theRunnerDoesNotContainThePluginsClasses() throws IOException {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("com.example.resnetlite.ResNetLiteBackbone"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName("com.example.probe.ProbeBackbone"));
    try (Stream<Path> classes = Files.walk(Path.of("target", "classes"))) {
      assertFalse(classes.anyMatch(p -> p.toString().contains("resnetlite") || p.toString().contains("ResNetLite")),
          "plugin classes in the runner's classes");
    }
    try (JarFile jar = new JarFile(exampleJar.toFile())) {
      assertTrue(jar.getEntry("com/example/resnetlite/ResNetLiteBackbone.class") != null, "the plugin jar has them");
      assertTrue(jar.stream().noneMatch(e -> e.getName().startsWith("io/pixelwise/")), "the plugin jar bundles the api");
    }
    // The packaged runner, where this run built one (mvn package runs the tests first).
    Path runnerJar = Path.of("target", "pixelwise.jar");
    if (Files.isRegularFile(runnerJar)) {
      try (JarFile jar = new JarFile(runnerJar.toFile())) {
        assertTrue(jar.stream().noneMatch(e -> e.getName().startsWith("com/example/")), runnerJar + " holds plugin classes");
      }
    }
  }

  @Test
  void aPluginOfAnotherMajorApiStopsTheCommandNamingBothVersions() throws IOException {
    Path bad = temp.resolve("bad-plugins");
    String other = (ApiVersion.MAJOR + 1) + ".0";
    Path jar = PluginJars.build(
        bad.resolve("future.jar"),
        PluginJars.TEST_PLUGINS.resolve("guava-probe/java"),
        PluginJars.TEST_PLUGINS.resolve("guava-probe/resources"),
        List.of(temp.resolve("lib/guava-99.0.jar")),
        PluginJars.manifest(other, "9"));
    Result r = main("config", RECIPE, "--plugins", bad.toString());
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains(jar + " was built against pixelwise api " + other), r.err());
    assertTrue(r.err().contains("needs api " + other + " or a later") && r.err().contains("provides api " + ApiVersion.CURRENT_TEXT), r.err());
  }

  @Test
  void aMissingPluginsFolderIsAnErrorWhenNamed() {
    Path nowhere = temp.resolve("no-such-folder");
    Result r = main("config", RECIPE, "--plugins", nowhere.toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("plugins folder " + nowhere.toAbsolutePath() + " does not exist"), r.err());
    Result set = main("config", RECIPE, "--set", "plugins.dir=" + nowhere);
    assertEquals(2, set.status());
    assertTrue(set.err().contains("plugins folder " + nowhere + " does not exist"), set.err());
  }
}
