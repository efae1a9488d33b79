package io.pixelwise.runner.plugins;

import io.pixelwise.api.plugin.ApiVersion;
import io.pixelwise.api.plugin.PixelwisePlugin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The plugins folder: each {@code .jar} in it is a plugin, and so is each sub-folder, whose jars
 * (the plugin's and its dependencies') share one class loader. Other files are ignored.
 *
 * <p>A plugin's jar lists its {@link PixelwisePlugin} classes in
 * {@code META-INF/services/io.pixelwise.api.plugin.PixelwisePlugin} and declares the api version
 * it was built against in its manifest ({@value ApiVersion#MANIFEST_ATTRIBUTE}); a plugin built
 * against an incompatible api is refused before any of its code is loaded.
 */
public final class PluginFolder {
  static final String SERVICE_FILE = "META-INF/services/" + PixelwisePlugin.class.getName();

  private PluginFolder() {}

  /**
   * {@link #scan(Path, ClassLoader)}, except that a missing folder means no plugins unless it is
   * {@code required} (named by the user rather than the default).
   */
  public static List<InstalledPlugin> scan(Path dir, boolean required, ClassLoader shared) {
    if (!required && !Files.exists(dir)) {
      return List.of();
    }
    return scan(dir, shared);
  }

  /**
   * The plugins in {@code dir}, in name order, each with its own class loader over {@code shared}.
   *
   * @throws PluginException listing every plugin that cannot be used, or if {@code dir} is not a folder
   */
  public static List<InstalledPlugin> scan(Path dir, ClassLoader shared) {
    if (!Files.isDirectory(dir)) {
      throw new PluginException(List.of(
          "plugins folder " + dir + " " + (Files.exists(dir) ? "is not a folder" : "does not exist")
              + " (" + dir.toAbsolutePath() + ")"));
    }
    List<Path> entries;
    try (Stream<Path> list = Files.list(dir)) {
      entries = list.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the plugins folder " + dir + ": " + e.getMessage(), e);
    }
    List<InstalledPlugin> plugins = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Path entry : entries) {
      List<Path> jars;
      if (Files.isDirectory(entry)) {
        jars = jarsIn(entry);
        if (jars.isEmpty()) {
          problems.add(entry + ": a plugin folder holds the plugin's jar and its dependencies' jars, but it has no .jar");
          continue;
        }
      } else if (isJar(entry)) {
        jars = List.of(entry);
      } else {
        continue; // a README or the like
      }
      try {
        plugins.add(inspect(entry, jars, shared));
      } catch (PluginException e) {
        problems.addAll(e.problems());
      }
    }
    if (!problems.isEmpty()) {
      throw new PluginException(problems);
    }
    return plugins;
  }

  /** Checks one plugin's jars and makes its class loader. */
  static InstalledPlugin inspect(Path location, List<Path> jars, ClassLoader shared) {
    return inspect(location, jars, shared, ApiVersion.CURRENT);
  }

  /** {@link #inspect(Path, List, ClassLoader)} on an api of version {@code provided} (tests of the rule). */
  static InstalledPlugin inspect(Path location, List<Path> jars, ClassLoader shared, ApiVersion provided) {
    List<String> problems = new ArrayList<>();
    ApiVersion api = null;
    String version = null;
    boolean anyPluginJar = false;
    for (Path jar : jars) {
      try (JarFile file = new JarFile(jar.toFile())) {
        if (file.getEntry(SERVICE_FILE) == null) {
          continue; // a dependency
        }
        anyPluginJar = true;
        Manifest manifest = file.getManifest();
        Attributes main = manifest == null ? new Attributes() : manifest.getMainAttributes();
        String declared = main.getValue(ApiVersion.MANIFEST_ATTRIBUTE);
        if (declared == null) {
          problems.add(jar + ": its manifest does not say which pixelwise api it was built against; add "
              + ApiVersion.MANIFEST_ATTRIBUTE + ": " + ApiVersion.CURRENT_TEXT
              + " (the version of the pixelwise-api it compiles against; see docs/writing-a-plugin.md)");
          continue;
        }
        ApiVersion builtAgainst;
        try {
          builtAgainst = ApiVersion.parse(declared);
        } catch (IllegalArgumentException e) {
          problems.add(jar + ": " + ApiVersion.MANIFEST_ATTRIBUTE + " " + e.getMessage());
          continue;
        }
        Optional<String> why = provided.incompatibility(builtAgainst);
        if (why.isPresent()) {
          problems.add(jar + " was built against pixelwise api " + builtAgainst + " and cannot be loaded: " + why.get());
          continue;
        }
        if (api == null || builtAgainst.compareTo(api) > 0) {
          api = builtAgainst;
        }
        if (version == null) {
          version = main.getValue(Attributes.Name.IMPLEMENTATION_VERSION);
        }
      } catch (IOException e) {
        problems.add(jar + ": not a readable jar (" + e.getMessage() + ")");
      }
    }
    if (problems.isEmpty() && !anyPluginJar) {
      problems.add(location + ": no jar lists a plugin in " + SERVICE_FILE + "; nothing to load");
    }
    if (!problems.isEmpty()) {
      throw new PluginException(problems);
    }
    List<URL> urls = new ArrayList<>();
    for (Path jar : jars) {
      urls.add(url(jar));
    }
    ClassLoader loader = new PluginClassLoader(location.getFileName().toString(), urls, shared);
    return new InstalledPlugin(location, jars, api, version == null ? "-" : version, loader);
  }

  private static List<Path> jarsIn(Path folder) {
    try (Stream<Path> list = Files.list(folder)) {
      return list.filter(PluginFolder::isJar).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the plugin folder " + folder + ": " + e.getMessage(), e);
    }
  }

  private static boolean isJar(Path p) {
    return Files.isRegularFile(p) && p.getFileName().toString().endsWith(".jar");
  }

  private static URL url(Path jar) {
    try {
      return jar.toAbsolutePath().toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalStateException("no URL for " + jar, e);
    }
  }
}
