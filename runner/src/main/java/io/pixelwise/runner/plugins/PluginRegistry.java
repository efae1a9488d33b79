package io.pixelwise.runner.plugins;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pixelwise.api.data.DatasetFactory;
import io.pixelwise.api.loss.LossFactory;
import io.pixelwise.api.metric.MetricFactory;
import io.pixelwise.api.model.BackboneFactory;
import io.pixelwise.api.model.HeadFactory;
import io.pixelwise.api.plugin.ComponentKind;
import io.pixelwise.api.plugin.PixelwisePlugin;
import io.pixelwise.api.plugin.Registration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every component factory registered by the plugins found through {@link ServiceLoader}, assembled
 * into one Guice injector. Lookups by name fail with the list of known names.
 */
public final class PluginRegistry {
  private final Map<String, BackboneFactory> backbones;
  private final Map<String, HeadFactory> heads;
  private final Map<String, LossFactory> losses;
  private final Map<String, MetricFactory> metrics;
  private final Map<String, DatasetFactory> datasets;
  private final List<Registration> registrations;
  private final Map<String, String> origins;

  private PluginRegistry(Injector injector, Map<String, String> origins) {
    this.origins = Map.copyOf(origins);
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

  /** The plugins visible to the given class loaders (the application's, then one per plugin jar). */
  public static PluginRegistry load(List<ClassLoader> loaders) {
    List<PixelwisePlugin> plugins = new ArrayList<>();
    for (ClassLoader loader : loaders) {
      for (PixelwisePlugin p : ServiceLoader.load(PixelwisePlugin.class, loader)) {
        if (plugins.stream().noneMatch(q -> q.getClass() == p.getClass())) {
          plugins.add(p);
        }
      }
    }
    Map<String, String> origins = new java.util.HashMap<>();
    plugins.forEach(p -> origins.put(p.getClass().getName(), origin(p.getClass())));
    try {
      return new PluginRegistry(Guice.createInjector(plugins), origins);
    } catch (CreationException e) {
      throw new IllegalStateException("plugins could not be assembled: " + e.getMessage(), e);
    }
  }

  public static PluginRegistry load() {
    return load(List.of(PluginRegistry.class.getClassLoader()));
  }

  public List<Registration> registrations() {
    return registrations;
  }

  /** Where a plugin class was loaded from: its jar's file name, or its classes folder. */
  public String origin(Registration registration) {
    return origins.getOrDefault(registration.pluginClass(), "?");
  }

  private static String origin(Class<?> type) {
    var source = type.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return "?";
    }
    try {
      java.nio.file.Path path = java.nio.file.Path.of(source.getLocation().toURI());
      return java.nio.file.Files.isDirectory(path) ? path.toString() : path.getFileName().toString();
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      return source.getLocation().toString();
    }
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

  public BackboneFactory backbone(String name) {
    return find(backbones, ComponentKind.BACKBONE, name);
  }

  public HeadFactory head(String name) {
    return find(heads, ComponentKind.HEAD, name);
  }

  public LossFactory loss(String name) {
    return find(losses, ComponentKind.LOSS, name);
  }

  public MetricFactory metric(String name) {
    return find(metrics, ComponentKind.METRIC, name);
  }

  public DatasetFactory dataset(String name) {
    return find(datasets, ComponentKind.DATASET, name);
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
