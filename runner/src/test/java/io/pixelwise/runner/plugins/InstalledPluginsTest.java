package io.pixelwise.runner.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.model.Backbone;
import io.pixelwise.api.model.OneDnnPreference;
import io.pixelwise.api.plugin.ApiVersion;
import io.pixelwise.api.plugin.ComponentKind;
import io.pixelwise.api.plugin.Registration;
import io.pixelwise.runner.config.ConfigLoader;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;

/**
 * Plugins from a plugins folder: each in its own class loader that shares only the api and the
 * libraries it exposes, and the errors for plugins that cannot be used (clashing names, an
 * incompatible api, nothing to load), each naming the jar.
 */
class InstalledPluginsTest {
  private static final ClassLoader RUNNER = InstalledPluginsTest.class.getClassLoader();

  @TempDir static Path work;
  /** Plugin sources made in the tests: one backbone per plugin class, registered under a name. */
  static Path tiny;
  static Path guavaJar;
  static Path probeJar;

  @BeforeAll
  static void compile() {
    guavaJar = PluginJars.build(
        work.resolve("lib/guava-99.0.jar"), PluginJars.TEST_PLUGINS.resolve("bundled-guava/java"), null, List.of(), Map.of());
    probeJar = PluginJars.build(
        work.resolve("lib/guava-probe.jar"),
        PluginJars.TEST_PLUGINS.resolve("guava-probe/java"),
        PluginJars.TEST_PLUGINS.resolve("guava-probe/resources"),
        List.of(guavaJar),
        PluginJars.manifest(ApiVersion.CURRENT_TEXT, "2.3"));
    tiny = work.resolve("tiny-src");
    plugin("com.example.twin.TwinPlugin", "backbone(\"twin\", o -> null);");
    // Says whether it wants oneDNN, from its options, and which class loader it was asked under.
    plugin("com.example.picky.PickyPlugin",
        "backbone(\"picky\", new io.pixelwise.api.model.BackboneFactory() {\n"
            + "  public io.pixelwise.api.model.Backbone create(com.typesafe.config.Config o) { return null; }\n"
            + "  public java.util.Optional<io.pixelwise.api.model.OneDnnPreference> onednn(com.typesafe.config.Config o) {\n"
            + "    return java.util.Optional.of(new io.pixelwise.api.model.OneDnnPreference(o.getBoolean(\"onednn\"),\n"
            + "        \"asked under \" + Thread.currentThread().getContextClassLoader().getClass().getSimpleName()));\n"
            + "  }\n"
            + "});");
    plugin("com.example.clash.ClashPlugin", "backbone(\"simple-conv\", o -> null);");
    plugin("com.example.badname.BadNamePlugin", "backbone(\"Bad_Name\", o -> null);");
    // Would fail the moment its class initialises: proves a refused plugin's code never runs.
    plugin("com.example.bomb.BombPlugin",
        "backbone(\"bomb\", o -> null); }\n  static { if (true) throw new IllegalStateException(\"bomb went off\"); }\n  void unused() {");
  }

  private static void plugin(String className, String registrations) {
    int dot = className.lastIndexOf('.');
    PluginJars.writeSource(tiny.resolve(className.substring(0, dot).replace('.', '-')), className,
        "package " + className.substring(0, dot) + ";\n"
            + "public final class " + className.substring(dot + 1) + " extends io.pixelwise.api.plugin.PixelwisePlugin {\n"
            + "  @Override protected void register() { " + registrations + " }\n"
            + "}\n");
  }

  /** A jar of one of the tiny plugins, with the given manifest. */
  private static Path tinyJar(Path jar, String className, Map<String, String> manifest) throws IOException {
    String pkg = className.substring(0, className.lastIndexOf('.'));
    Path resources = Files.createTempDirectory(work, "resources-");
    Path services = resources.resolve(PluginFolder.SERVICE_FILE);
    Files.createDirectories(services.getParent());
    Files.writeString(services, className + "\n");
    return PluginJars.build(jar, tiny.resolve(pkg.replace('.', '-')), resources, List.of(), manifest);
  }

  private static Map<String, String> current() {
    return PluginJars.manifest(ApiVersion.CURRENT_TEXT, "1.0.0");
  }

  private static Path folder(String name) throws IOException {
    return Files.createDirectories(work.resolve(name));
  }

  private static PluginException refused(Path dir) {
    return assertThrows(PluginException.class, () -> PluginRegistry.load(PluginFolder.scan(dir, RUNNER)));
  }

  private static void assertContains(String text, String... parts) {
    for (String part : parts) {
      assertTrue(text.contains(part), "'" + part + "' missing from:\n" + text);
    }
  }

  @Test
  void anInstalledBackbonesOneDnnPreferenceReachesTheRunner() throws Exception {
    Path dir = folder("picky");
    tinyJar(dir.resolve("picky.jar"), "com.example.picky.PickyPlugin", current());
    PluginRegistry registry = PluginRegistry.load(PluginFolder.scan(dir, RUNNER));
    assertEquals(Optional.of(new OneDnnPreference(false, "asked under PluginClassLoader")),
        registry.backbone("picky").onednn(ConfigFactory.parseString("onednn = false")));
    assertEquals(Optional.of(new OneDnnPreference(true, "asked under PluginClassLoader")),
        registry.backbone("picky").onednn(ConfigFactory.parseString("onednn = true")));
    // The built-ins state none.
    assertEquals(Optional.empty(), registry.backbone("simple-conv").onednn(ConfigFactory.empty()));
  }

  @Test
  void aPluginFolderGetsItsOwnGuavaAndTheRunnersApi() throws Exception {
    Path dir = folder("isolation");
    Path plugin = Files.createDirectories(dir.resolve("guava-probe"));
    Files.copy(probeJar, plugin.resolve("guava-probe.jar"));
    Files.copy(guavaJar, plugin.resolve("guava-99.0.jar"));
    Files.writeString(dir.resolve("README.txt"), "not a plugin; ignored");

    List<InstalledPlugin> installed = PluginFolder.scan(dir, RUNNER);
    assertEquals(1, installed.size());
    InstalledPlugin probe = installed.get(0);
    assertEquals(plugin, probe.location());
    assertEquals("2.3", probe.version());
    assertEquals(ApiVersion.CURRENT, probe.api());
    ClassLoader loader = probe.loader();

    // The api and the libraries in its signatures are the runner's very classes...
    assertSame(Backbone.class, loader.loadClass(Backbone.class.getName()));
    assertSame(Operand.class, loader.loadClass(Operand.class.getName()));
    assertSame(Config.class, loader.loadClass(Config.class.getName()));
    // ...Guava is the plugin's own, and the runner's is untouched by it...
    Class<?> theirs = loader.loadClass("com.google.common.base.Strings");
    assertSame(loader, theirs.getClassLoader());
    assertNotEquals(loader, com.google.common.base.Strings.class.getClassLoader());
    assertThrows(NoSuchMethodException.class, () -> com.google.common.base.Strings.class.getMethod("bundledVersion"));
    assertEquals("99.0", loader.loadClass("com.example.probe.ProbeBackbone").getMethod("guava").invoke(null));
    // ...and the runner's internals, its other libraries and the built-in plugins are out of reach.
    for (String hidden : List.of(
        PluginRegistry.class.getName(), "picocli.CommandLine", "io.pixelwise.backbones.SimpleConvBackbone")) {
      assertThrows(ClassNotFoundException.class, () -> loader.loadClass(hidden), hidden);
    }
    List<URL> references = Collections.list(loader.getResources("reference.conf"));
    assertEquals(1, references.size(), "a plugin sees its own reference.conf only: " + references);

    PluginRegistry registry = PluginRegistry.load(installed);
    Registration registered = registry.registrations().stream()
        .filter(r -> r.name().equals("guava-probe")).findFirst().orElseThrow();
    assertEquals(ComponentKind.BACKBONE, registered.kind());
    assertEquals(plugin.toString(), registry.origin(registered));
    assertEquals("2.3", registry.source(registered).version());
    assertTrue(registry.names().get(ComponentKind.BACKBONE).contains("simple-conv"), "built-ins still there");
    // Creating it calls Guava's bundledVersion(): a NoSuchMethodError if it got the runner's Guava.
    Backbone backbone = registry.backbone("guava-probe").create(ConfigFactory.parseMap(Map.of("width", 4)));
    assertSame(loader, backbone.getClass().getClassLoader());

    Config reference = ConfigLoader.reference(registry.classLoaders());
    assertEquals(16, reference.getInt("backbones.guava-probe.width"), "the plugin's reference.conf is merged");
    assertTrue(reference.hasPath("backbones.simple-conv.widths"));
  }

  @Test
  void theSamePluginInstalledTwiceIsAnErrorNamingBothJars() throws IOException {
    Path dir = folder("twice");
    Path a = tinyJar(dir.resolve("twin-1.0.jar"), "com.example.twin.TwinPlugin", current());
    Path b = tinyJar(dir.resolve("twin-1.1.jar"), "com.example.twin.TwinPlugin", current());
    PluginException e = refused(dir);
    assertEquals(
        "backbone 'twin' is registered by two plugins, com.example.twin.TwinPlugin (" + a
            + ") and com.example.twin.TwinPlugin (" + b + "); a name must be unique per kind: remove one of the plugins",
        e.getMessage());
  }

  @Test
  void takingTheNameOfABuiltInIsAnErrorNamingBoth() throws IOException {
    Path dir = folder("clash");
    Path jar = tinyJar(dir.resolve("clash.jar"), "com.example.clash.ClashPlugin", current());
    PluginException e = refused(dir);
    assertContains(e.getMessage(), "backbone 'simple-conv' is registered by two plugins",
        "io.pixelwise.backbones.BackbonesPlugin (", "com.example.clash.ClashPlugin (" + jar + ")");
  }

  @Test
  void aPluginBuiltAgainstAnIncompatibleApiIsRefusedBeforeItsCodeRuns() throws IOException {
    Path dir = folder("versions");
    String nextMajor = (ApiVersion.MAJOR + 1) + ".0";
    String nextMinor = ApiVersion.MAJOR + "." + (ApiVersion.MINOR + 1);
    Path major = tinyJar(dir.resolve("major.jar"), "com.example.bomb.BombPlugin", PluginJars.manifest(nextMajor, "1"));
    Path minor = tinyJar(dir.resolve("minor.jar"), "com.example.bomb.BombPlugin", PluginJars.manifest(nextMinor, "1"));
    Path none = tinyJar(dir.resolve("unversioned.jar"), "com.example.bomb.BombPlugin", PluginJars.manifest(null, "1"));
    Path junk = tinyJar(dir.resolve("junk.jar"), "com.example.bomb.BombPlugin", PluginJars.manifest("latest", "1"));

    PluginException e = refused(dir);
    assertEquals(4, e.problems().size(), e.getMessage());
    assertEquals(
        junk + ": Pixelwise-Api-Version 'latest' is not an api version; expected <major>.<minor>, e.g. "
            + ApiVersion.CURRENT_TEXT,
        e.problems().get(0));
    assertEquals(
        major + " was built against pixelwise api " + nextMajor + " and cannot be loaded: it needs api " + nextMajor
            + " or a later " + (ApiVersion.MAJOR + 1) + ".x, and this Pixelwise provides api " + ApiVersion.CURRENT_TEXT
            + "; upgrade Pixelwise",
        e.problems().get(1));
    assertContains(e.problems().get(2), minor.toString(), "needs api " + nextMinor + " or a later " + ApiVersion.MAJOR + ".x",
        "provides api " + ApiVersion.CURRENT_TEXT);
    assertContains(e.problems().get(3), none.toString(), "add Pixelwise-Api-Version: " + ApiVersion.CURRENT_TEXT);
    assertTrue(!e.getMessage().contains("bomb went off"), e.getMessage());
  }

  @Test
  void aPluginBuiltAgainstApi1IsRefusedNamingBothVersions() throws IOException {
    // 2.0 took ImageFiles out of the api and changed DatasetFactory: a 1.x plugin may call either.
    assertEquals(new ApiVersion(2, 0), ApiVersion.CURRENT);
    Path dir = folder("api-1");
    Path first = tinyJar(dir.resolve("first.jar"), "com.example.twin.TwinPlugin", PluginJars.manifest("1.0", "1"));
    Path last = tinyJar(dir.resolve("last.jar"), "com.example.bomb.BombPlugin", PluginJars.manifest("1.2", "1"));
    PluginException e = refused(dir);
    assertEquals(
        List.of(
            first + " was built against pixelwise api 1.0 and cannot be loaded: it needs api 1.0 or a later 1.x, and"
                + " this Pixelwise provides api 2.0; rebuild the plugin against pixelwise-api 2.0",
            last + " was built against pixelwise api 1.2 and cannot be loaded: it needs api 1.2 or a later 1.x, and"
                + " this Pixelwise provides api 2.0; rebuild the plugin against pixelwise-api 2.0"),
        e.problems());
    assertTrue(!e.getMessage().contains("bomb went off"), e.getMessage());
  }

  @Test
  void aPluginOfAnOlderMinorApiLoads() throws IOException {
    // This api as if one minor version later: a plugin built against today's loads on it.
    Path dir = folder("older-minor");
    Path jar = tinyJar(dir.resolve("twin.jar"), "com.example.twin.TwinPlugin", current());
    ApiVersion later = new ApiVersion(ApiVersion.MAJOR, ApiVersion.MINOR + 1);
    InstalledPlugin plugin = PluginFolder.inspect(jar, List.of(jar), RUNNER, later);
    assertEquals(ApiVersion.CURRENT, plugin.api());
    PluginRegistry registry = PluginRegistry.load(List.of(plugin));
    assertTrue(registry.names().get(ComponentKind.BACKBONE).contains("twin"));
    // And the other way round: a plugin of that later minor version is refused by today's api.
    Path newer = tinyJar(folder("newer-minor").resolve("twin.jar"), "com.example.twin.TwinPlugin",
        PluginJars.manifest(later.toString(), "1"));
    assertContains(assertThrows(PluginException.class, () -> PluginFolder.scan(newer.getParent(), RUNNER)).getMessage(),
        "built against pixelwise api " + later, "upgrade Pixelwise");
  }

  @Test
  void aFailingRegistrationNamesThePluginAndItsJar() throws IOException {
    Path dir = folder("bad-name");
    Path jar = tinyJar(dir.resolve("bad-name.jar"), "com.example.badname.BadNamePlugin", current());
    PluginException e = refused(dir);
    assertContains(e.getMessage(), "com.example.badname.BadNamePlugin (" + jar + ") failed to register",
        "name 'Bad_Name'", "lower-case words joined by '-'");
  }

  @Test
  void aPluginWhoseClassCannotInitialiseIsNamed() throws IOException {
    Path dir = folder("bomb");
    Path jar = tinyJar(dir.resolve("bomb.jar"), "com.example.bomb.BombPlugin", current());
    PluginException e = refused(dir);
    assertContains(e.getMessage(), jar + ": cannot instantiate its plugin", "bomb went off");
  }

  @Test
  void nothingToLoadIsNamed() throws IOException {
    Path dir = folder("empty-plugins");
    Files.createDirectories(dir.resolve("empty-folder"));
    Path lib = dir.resolve("library.jar");
    PluginJars.jar(lib, current(), List.of(Files.createTempDirectory(work, "nothing-")));
    PluginException e = assertThrows(PluginException.class, () -> PluginFolder.scan(dir, RUNNER));
    assertEquals(
        List.of(
            dir.resolve("empty-folder") + ": a plugin folder holds the plugin's jar and its dependencies' jars, but it has no .jar",
            lib + ": no jar lists a plugin in META-INF/services/io.pixelwise.api.plugin.PixelwisePlugin; nothing to load"),
        e.problems());
  }

  @Test
  void aMissingFolderIsAnErrorOnlyWhenNamed() {
    Path nowhere = work.resolve("nowhere");
    assertEquals(List.of(), PluginFolder.scan(nowhere, false, RUNNER));
    PluginException e = assertThrows(PluginException.class, () -> PluginFolder.scan(nowhere, true, RUNNER));
    assertContains(e.getMessage(), "plugins folder " + nowhere + " does not exist");
  }
}
