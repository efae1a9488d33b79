package io.pixelwise.runner.plugins;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.google.inject.spi.Element;
import com.google.inject.spi.Elements;
import com.google.inject.spi.InstanceBinding;
import com.google.inject.spi.Message;
import com.typesafe.config.Config;
import io.pixelwise.api.data.DatasetFactory;
import io.pixelwise.api.loss.ContextualLossFactory;
import io.pixelwise.api.loss.Loss;
import io.pixelwise.api.loss.LossContext;
import io.pixelwise.api.loss.LossFactory;
import io.pixelwise.api.metric.MetricFactory;
import io.pixelwise.api.model.Backbone;
import io.pixelwise.api.model.BackboneFactory;
import io.pixelwise.api.model.HeadFactory;
import io.pixelwise.api.model.OneDnnPreference;
import io.pixelwise.api.plugin.ApiVersion;
import io.pixelwise.api.plugin.ComponentKind;
import io.pixelwise.api.plugin.PixelwisePlugin;
import io.pixelwise.api.plugin.Registration;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.jar.JarFile;

/**
 * Every component factory registered by the plugins, assembled into one Guice injector: the
 * built-in plugins on the runner's class path, then the installed ones (see {@link PluginFolder}),
 * each found through {@link ServiceLoader} in its own class loader. Two plugins registering the
 * same name of a kind is an error naming both. Lookups by name fail with the list of known names.
 */
public final class PluginRegistry {
  /** Where a plugin came from, for listings and messages. */
  public record Source(String location, String version, ApiVersion api, boolean builtIn, ClassLoader loader) {}

  private record Candidate(PixelwisePlugin plugin, Source source) {
    String describe() {
      return plugin.getClass().getName() + " (" + source.location() + ")";
    }
  }

  private record Slot(ComponentKind kind, String name) {}

  private final Map<String, BackboneFactory> backbones;
  private final Map<String, HeadFactory> heads;
  private final Map<String, LossFactory> losses;
  private final Map<String, MetricFactory> metrics;
  private final Map<String, DatasetFactory> datasets;
  private final List<Registration> registrations;
  private final Map<Slot, Source> sources;
  private final List<ClassLoader> classLoaders;

  private PluginRegistry(Injector injector, Map<Slot, Source> sources, List<ClassLoader> classLoaders) {
    this.sources = Map.copyOf(sources);
    this.classLoaders = List.copyOf(classLoaders);
    backbones = injector.getInstance(Key.get(new TypeLiteral<Map<String, BackboneFactory>>() {}));
    heads = injector.getInstance(Key.get(new TypeLiteral<Map<String, HeadFactory>>() {}));
    losses = injector.getInstance(Key.get(new TypeLiteral<Map<String, LossFactory>>() {}));
    metrics = injector.getInstance(Key.get(new TypeLiteral<Map<String, MetricFactory>>() {}));
    datasets = injector.getInstance(Key.get(new TypeLiteral<Map<String, DatasetFactory>>() {}));
    List<Registration> all =
        new ArrayList<>(injector.getInstance(Key.get(new TypeLiteral<Set<Registration>>() {})));
    all.sort((a, b) -> a.kind() != b.kind() ? a.kind().compareTo(b.kind()) : a.name().compareTo(b.name()));
    registrations = Collections.unmodifiableList(all);
  }

  /** The built-in plugins only. */
  public static PluginRegistry load() {
    return load(List.of());
  }

  /**
   * The built-in plugins and the installed ones.
   *
   * @throws PluginException if a plugin cannot be instantiated or configured, or a name is taken twice
   */
  public static PluginRegistry load(List<InstalledPlugin> installed) {
    ClassLoader runner = PluginRegistry.class.getClassLoader();
    List<String> problems = new ArrayList<>();
    List<Candidate> candidates = new ArrayList<>();
    for (PixelwisePlugin p : instantiate(runner, "the class path", problems)) {
      candidates.add(new Candidate(p, builtIn(p.getClass())));
    }
    List<ClassLoader> loaders = new ArrayList<>(List.of(runner));
    for (InstalledPlugin plugin : installed) {
      loaders.add(plugin.loader());
      List<PixelwisePlugin> found = instantiate(plugin.loader(), plugin.location().toString(), problems);
      Source source = new Source(plugin.location().toString(), plugin.version(), plugin.api(), false, plugin.loader());
      found.forEach(p -> candidates.add(new Candidate(p, source)));
    }

    // Record what each plugin binds before building the injector, so that a clash can name both
    // plugins; Guice alone would report a duplicate map key without saying whose.
    Map<Slot, Candidate> owners = new LinkedHashMap<>();
    List<Element> elements = new ArrayList<>();
    for (Candidate c : candidates) {
      List<Element> own = withContextLoader(c.source().loader(), () -> Elements.getElements(c.plugin()));
      for (Element e : own) {
        if (e instanceof Message m) {
          Throwable cause = m.getCause();
          problems.add(c.describe() + " failed to register: "
              + (cause != null && cause.getMessage() != null ? cause.getMessage() : m.getMessage()));
        } else if (e instanceof InstanceBinding<?> b && b.getInstance() instanceof Registration r) {
          Slot slot = new Slot(r.kind(), r.name());
          Candidate owner = owners.putIfAbsent(slot, c);
          if (owner == c) {
            problems.add(c.describe() + " registers " + r.kind().label() + " '" + r.name() + "' twice");
          } else if (owner != null) {
            problems.add(r.kind().label() + " '" + r.name() + "' is registered by two plugins, "
                + owner.describe() + " and " + c.describe()
                + "; a name must be unique per kind: remove one of the plugins");
          }
        }
      }
      elements.addAll(own);
    }
    if (!problems.isEmpty()) {
      throw new PluginException(problems);
    }
    Map<Slot, Source> sources = new HashMap<>();
    owners.forEach((slot, c) -> sources.put(slot, c.source()));
    try {
      return new PluginRegistry(Guice.createInjector(Elements.getModule(elements)), sources, loaders);
    } catch (CreationException e) {
      throw new IllegalStateException("plugins could not be assembled: " + e.getMessage(), e);
    }
  }

  private static List<PixelwisePlugin> instantiate(ClassLoader loader, String where, List<String> problems) {
    List<PixelwisePlugin> plugins = new ArrayList<>();
    try {
      // A class loader's service file may repeat a class; each plugin class counts once.
      for (PixelwisePlugin p : withContextLoader(loader, () -> ServiceLoader.load(PixelwisePlugin.class, loader).stream()
          .map(ServiceLoader.Provider::get)
          .toList())) {
        if (plugins.stream().noneMatch(q -> q.getClass() == p.getClass())) {
          plugins.add(p);
        }
      }
    } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
      // A class missing from the jar, not a PixelwisePlugin, without a public no-argument
      // constructor, or failing in it or its static initialiser; the root cause says which.
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      problems.add(where + ": cannot instantiate its plugin: " + e.getMessage() + (root != e ? " (" + root + ")" : ""));
    }
    return plugins;
  }

  /** Runs plugin code with the plugin's class loader as the thread's context loader, as libraries expect. */
  static <T> T withContextLoader(ClassLoader loader, Supplier<T> action) {
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      return action.get();
    } finally {
      thread.setContextClassLoader(before);
    }
  }

  /** The runner's class loader, then one per installed plugin: where {@code reference.conf}s come from. */
  public List<ClassLoader> classLoaders() {
    return classLoaders;
  }

  public List<Registration> registrations() {
    return registrations;
  }

  /** Where the plugin that registered this name came from. */
  public Source source(Registration registration) {
    Source s = sources.get(new Slot(registration.kind(), registration.name()));
    if (s == null) {
      throw new IllegalArgumentException("not registered here: " + registration);
    }
    return s;
  }

  /** Where a plugin came from: an installed plugin's jar or folder, a built-in's jar file name or classes folder. */
  public String origin(Registration registration) {
    return source(registration).location();
  }

  private static Source builtIn(Class<?> type) {
    String location = "?";
    String version = type.getPackage() == null ? null : type.getPackage().getImplementationVersion();
    var code = type.getProtectionDomain().getCodeSource();
    if (code != null && code.getLocation() != null) {
      try {
        Path path = Path.of(code.getLocation().toURI());
        location = Files.isDirectory(path) ? path.toString() : path.getFileName().toString();
        if (version == null && Files.isRegularFile(path)) {
          try (JarFile jar = new JarFile(path.toFile())) {
            var manifest = jar.getManifest();
            version = manifest == null ? null : manifest.getMainAttributes().getValue(java.util.jar.Attributes.Name.IMPLEMENTATION_VERSION);
          }
        }
      } catch (URISyntaxException | IllegalArgumentException | java.io.IOException e) {
        location = code.getLocation().toString();
      }
    }
    return new Source(location, version == null ? "-" : version, ApiVersion.CURRENT, true, type.getClassLoader());
  }

  /** Registered names per kind, sorted; every kind is present. */
  public Map<ComponentKind, Set<String>> names() {
    Map<ComponentKind, Set<String>> names = new EnumMap<>(ComponentKind.class);
    for (ComponentKind k : ComponentKind.values()) {
      names.put(k, new TreeSet<>());
    }
    registrations.forEach(r -> names.get(r.kind()).add(r.name()));
    return names;
  }

  // Factories run with their plugin's loader as context loader, so that libraries a plugin
  // bundles which look up resources or services through it find the plugin's own.

  public BackboneFactory backbone(String name) {
    BackboneFactory f = find(backbones, ComponentKind.BACKBONE, name);
    ClassLoader loader = loader(ComponentKind.BACKBONE, name);
    return new BackboneFactory() {
      @Override
      public Backbone create(Config options) {
        return withContextLoader(loader, () -> f.create(options));
      }

      @Override
      public Optional<OneDnnPreference> onednn(Config options) {
        return withContextLoader(loader, () -> f.onednn(options));
      }
    };
  }

  public HeadFactory head(String name) {
    HeadFactory f = find(heads, ComponentKind.HEAD, name);
    ClassLoader loader = loader(ComponentKind.HEAD, name);
    return options -> withContextLoader(loader, () -> f.create(options));
  }

  public LossFactory loss(String name) {
    LossFactory f = find(losses, ComponentKind.LOSS, name);
    ClassLoader loader = loader(ComponentKind.LOSS, name);
    if (f instanceof ContextualLossFactory contextual) {
      // Keeps the kind visible: the runner asks it whether the loss handles a binary model.
      return (ContextualLossFactory) (options, context) ->
          withContextLoader(loader, () -> contextual.create(options, context));
    }
    return new LossFactory() {
      @Override
      public Loss create(Config options) {
        return withContextLoader(loader, () -> f.create(options));
      }

      @Override
      public Loss create(Config options, LossContext context) {
        return withContextLoader(loader, () -> f.create(options, context));
      }
    };
  }

  public MetricFactory metric(String name) {
    MetricFactory f = find(metrics, ComponentKind.METRIC, name);
    ClassLoader loader = loader(ComponentKind.METRIC, name);
    return (options, classes) -> withContextLoader(loader, () -> f.create(options, classes));
  }

  public DatasetFactory dataset(String name) {
    DatasetFactory f = find(datasets, ComponentKind.DATASET, name);
    ClassLoader loader = loader(ComponentKind.DATASET, name);
    return context -> withContextLoader(loader, () -> f.create(context));
  }

  private ClassLoader loader(ComponentKind kind, String name) {
    return sources.get(new Slot(kind, name)).loader();
  }

  private static <F> F find(Map<String, F> map, ComponentKind kind, String name) {
    F f = map.get(name);
    if (f == null) {
      throw new IllegalArgumentException(
          "unknown " + kind.label() + " '" + name + "'; known " + kind.section() + ": "
              + String.join(", ", new TreeSet<>(map.keySet())));
    }
    return f;
  }
}
