package io.pixelwise.runner.plugins;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader of one installed plugin: its own jars, over a parent that holds only the JDK.
 * Classes of the shared packages ({@link #SHARED_PACKAGES}: the api and the libraries whose types
 * appear in it) come from the runner, so that a plugin's {@code Backbone} is our
 * {@code Backbone}; everything else the plugin needs comes from its own jars. So a plugin may
 * bundle any version of any other library (Guava, say) without clashing with ours or with another
 * plugin's, and it cannot reach the runner's internals at all.
 */
final class PluginClassLoader extends URLClassLoader {
  /**
   * Package prefixes served by the runner. A plugin's copies of these are never used: a second
   * copy of an api type would not be the same type, and TensorFlow's native runtime can be loaded
   * only once per process.
   */
  static final List<String> SHARED_PACKAGES =
      List.of(
          "io.pixelwise.api.",
          // TensorFlow Java and the libraries its public types expose (native pointers, protos).
          "org.tensorflow.",
          "org.bytedeco.",
          "com.google.protobuf.",
          // Guice: a plugin is a Guice module; jakarta.inject and aopalliance are in Guice's api.
          "com.google.inject.",
          "jakarta.inject.",
          "org.aopalliance.",
          // Component options are Typesafe Config objects.
          "com.typesafe.config.",
          // Plugins log through the runner's logger, into its train.log.
          "org.slf4j.");

  private static final List<String> SHARED_RESOURCES =
      SHARED_PACKAGES.stream().map(p -> p.replace('.', '/')).toList();

  static {
    registerAsParallelCapable();
  }

  private final ClassLoader shared;
  private final String pluginName;

  /**
   * @param pluginName the plugin's jar or folder name, for diagnostics
   * @param shared the loader that serves the shared packages: the runner's
   */
  PluginClassLoader(String pluginName, List<URL> jars, ClassLoader shared) {
    // The platform loader as parent: the JDK's modules, but not the application class path.
    super("plugin:" + pluginName, jars.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    this.shared = shared;
    this.pluginName = pluginName;
  }

  String pluginName() {
    return pluginName;
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      Class<?> loaded = findLoadedClass(name);
      if (loaded == null && isShared(name, SHARED_PACKAGES)) {
        loaded = shared.loadClass(name);
      }
      if (loaded == null) {
        return super.loadClass(name, resolve); // the JDK, then the plugin's own jars
      }
      if (resolve) {
        resolveClass(loaded);
      }
      return loaded;
    }
  }

  @Override
  public URL getResource(String name) {
    return isShared(name, SHARED_RESOURCES) ? shared.getResource(name) : super.getResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    // Unshared resources (reference.conf, META-INF/services/...) are the plugin's own only: the
    // runner's copies must not be found again through a plugin.
    return isShared(name, SHARED_RESOURCES) ? shared.getResources(name) : super.getResources(name);
  }

  private static boolean isShared(String name, List<String> prefixes) {
    for (String prefix : prefixes) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return getName();
  }
}
