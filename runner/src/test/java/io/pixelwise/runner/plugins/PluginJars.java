package io.pixelwise.runner.plugins;

import io.pixelwise.api.plugin.ApiVersion;
import io.pixelwise.api.plugin.PixelwisePlugin;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Builds plugin jars inside a test the way a plugin's own build does: sources compiled with javac
 * against the api and the libraries it exposes only (not the runner, not Guava), then jarred with
 * their resources and a manifest. Needs nothing from the network, and nothing but a JDK.
 */
public final class PluginJars {
  /** The example third-party project; outside the reactor, so not on any class path of the build. */
  public static final Path EXAMPLE = Path.of("..", "examples", "backbone-plugin");
  /** Sources of the plugins the tests install; not a source folder of the build either. */
  public static final Path TEST_PLUGINS = Path.of("src", "test", "plugins");

  private PluginJars() {}

  /** The class path a plugin compiles against: the api and the libraries whose types it exposes. */
  public static List<Path> apiClassPath() {
    return Stream.of(
            PixelwisePlugin.class,
            org.tensorflow.Operand.class,
            org.tensorflow.ndarray.Shape.class,
            org.tensorflow.proto.DataType.class,
            org.bytedeco.javacpp.Pointer.class,
            com.google.inject.AbstractModule.class,
            jakarta.inject.Provider.class,
            com.typesafe.config.Config.class,
            org.slf4j.Logger.class)
        .map(PluginJars::codeSource)
        .distinct()
        .toList();
  }

  /** A manifest that declares the api version and, unless null, an Implementation-Version. */
  public static Map<String, String> manifest(String apiVersion, String version) {
    Map<String, String> m = new LinkedHashMap<>();
    if (apiVersion != null) {
      m.put(ApiVersion.MANIFEST_ATTRIBUTE, apiVersion);
    }
    if (version != null) {
      m.put(Attributes.Name.IMPLEMENTATION_VERSION.toString(), version);
    }
    return m;
  }

  /**
   * Compiles every .java file under {@code javaRoot} against the api class path plus {@code extra}
   * and jars the classes with the files under
   * {@code resourceRoot} (may be null).
   */
  public static Path build(Path jar, Path javaRoot, Path resourceRoot, List<Path> extra, Map<String, String> manifest) {
    Path classes = null;
    try {
      classes = Files.createTempDirectory("pixelwise-plugin-classes-");
      List<Path> classPath = new ArrayList<>(apiClassPath());
      classPath.addAll(extra);
      compile(javaRoot, classPath, classes);
      List<Path> roots = new ArrayList<>(List.of(classes));
      if (resourceRoot != null) {
        roots.add(resourceRoot);
      }
      return jar(jar, manifest, roots);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      delete(classes);
    }
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a leftover folder in the system temp folder is harmless
    }
  }

  /** The example project's plugin jar, with the manifest its pom.xml gives it. */
  public static Path buildExample(Path jar) {
    String pom = read(EXAMPLE.resolve("pom.xml"));
    Map<String, String> manifest =
        manifest(
            group(pom, "<pixelwise.api.version>([^<]+)</pixelwise.api.version>"),
            group(pom, "<artifactId>resnet-lite-plugin</artifactId>\\s*<version>([^<]+)</version>"));
    return build(jar, EXAMPLE.resolve("src/main/java"), EXAMPLE.resolve("src/main/resources"), List.of(), manifest);
  }

  /** Writes {@code source} as a .java file of its declared class under {@code root}. */
  public static void writeSource(Path root, String className, String source) {
    Path file = root.resolve(className.replace('.', '/') + ".java");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, source);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void compile(Path javaRoot, List<Path> classPath, Path classes) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no Java compiler: the tests need a JDK, not a JRE");
    }
    List<Path> sources;
    try (Stream<Path> files = Files.walk(javaRoot)) {
      sources = files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
      List<String> options =
          List.of(
              "--release", "17", "-proc:none", "-nowarn", "-d", classes.toString(),
              "-classpath", classPath.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator)));
      boolean ok = javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjectsFromPaths(sources)).call();
      if (!ok) {
        throw new IllegalStateException("compiling " + javaRoot + " failed:\n"
            + diagnostics.getDiagnostics().stream().map(Object::toString).collect(Collectors.joining("\n")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A jar of every file under the roots (later roots cannot replace earlier entries), with the manifest. */
  public static Path jar(Path jar, Map<String, String> manifestAttributes, List<Path> roots) {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifestAttributes.forEach((k, v) -> manifest.getMainAttributes().putValue(k, v));
    try {
      Files.createDirectories(jar.toAbsolutePath().getParent());
      try (OutputStream file = Files.newOutputStream(jar);
          JarOutputStream out = new JarOutputStream(file, manifest)) {
        for (Path root : roots) {
          List<Path> entries;
          try (Stream<Path> walk = Files.walk(root)) {
            entries = walk.filter(Files::isRegularFile).sorted().toList();
          }
          for (Path p : entries) {
            out.putNextEntry(new JarEntry(root.relativize(p).toString().replace('\\', '/')));
            Files.copy(p, out);
            out.closeEntry();
          }
        }
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path codeSource(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String group(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    if (!m.find()) {
      throw new IllegalStateException("no match for " + regex);
    }
    return m.group(1).trim();
  }
}
