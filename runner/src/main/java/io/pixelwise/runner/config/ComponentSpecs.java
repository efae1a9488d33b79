package io.pixelwise.runner.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import io.pixelwise.api.plugin.ComponentKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The component choices of an experiment and how to read them from a merged, resolved config
 * (validate it first with {@link ConfigValidator}; these methods only fail on shapes validation
 * rejects).
 */
public final class ComponentSpecs {
  /**
   * Every place a component is chosen. To let {@code loss} take a weighted list later, make it
   * {@code multiple} and give it {@code extraDefaults} such as {@code weight = 1.0}.
   */
  public static final List<SpecSlot> SLOTS =
      List.of(
          new SpecSlot("dataset", ComponentKind.DATASET, false, ConfigFactory.empty()),
          new SpecSlot("model.backbone", ComponentKind.BACKBONE, false, ConfigFactory.empty()),
          new SpecSlot("model.head", ComponentKind.HEAD, false, ConfigFactory.empty()),
          new SpecSlot("loss", ComponentKind.LOSS, false, ConfigFactory.empty()),
          new SpecSlot("eval.metrics", ComponentKind.METRIC, true, ConfigFactory.empty()));

  private ComponentSpecs() {}

  public static Optional<SpecSlot> slot(String path) {
    return SLOTS.stream().filter(s -> s.path().equals(path)).findFirst();
  }

  /**
   * The choice at a slot that takes one component.
   *
   * @throws IllegalArgumentException if the config holds a list there
   */
  public static ComponentSpec single(Config merged, ComponentKind kind, String path) {
    if (merged.getValue(path) instanceof ConfigList) {
      throw new IllegalArgumentException(path + ": expected one " + kind.label() + ", got a list");
    }
    return resolve(merged, kind, path).get(0);
  }

  /** The choices at a slot, in config order; a single choice gives a list of one. */
  public static List<ComponentSpec> list(Config merged, ComponentKind kind, String path) {
    return resolve(merged, kind, path);
  }

  /**
   * The choice(s) at {@code path}: a name, an object with a name and options, or a list of those.
   * A path that is not one of {@link #SLOTS} is read as a slot without extra keys.
   */
  public static List<ComponentSpec> resolve(Config merged, ComponentKind kind, String path) {
    SpecSlot slot = slot(path).orElseGet(() -> new SpecSlot(path, kind, true, ConfigFactory.empty()));
    if (slot.kind() != kind) {
      throw new IllegalArgumentException(path + " chooses a " + slot.kind().label() + ", not a " + kind.label());
    }
    return resolve(merged, slot);
  }

  static List<ComponentSpec> resolve(Config merged, SpecSlot slot) {
    String path = slot.path();
    ConfigValue value = merged.getValue(path);
    List<ComponentSpec> specs = new ArrayList<>();
    if (value instanceof ConfigList list) {
      for (int i = 0; i < list.size(); i++) {
        specs.add(element(merged, slot, path + "[" + i + "]", list.get(i)));
      }
    } else {
      specs.add(element(merged, slot, path, value));
    }
    return specs;
  }

  private static ComponentSpec element(Config merged, SpecSlot slot, String where, ConfigValue value) {
    ComponentKind kind = slot.kind();
    if (value instanceof ConfigObject object) {
      Config choice = object.toConfig();
      if (!choice.hasPath(SpecSlot.NAME)) {
        throw new IllegalArgumentException(where + ": a " + kind.label() + " object needs a name");
      }
      String name = choice.getString(SpecSlot.NAME);
      // Rebuilt key by key: an object that replaced a string choice (an included recipe's, or the
      // file's under --set) ignores fallbacks in Typesafe Config, and would not get the defaults.
      Config overrides = ConfigFactory.empty();
      for (var entry : object.entrySet()) {
        if (!entry.getKey().equals(SpecSlot.NAME)) {
          overrides = overrides.withValue(ConfigUtil.joinPath(entry.getKey()), entry.getValue());
        }
      }
      Config extra = ConfigFactory.empty();
      for (String key : slot.extraKeys()) {
        String k = ConfigUtil.joinPath(key);
        if (overrides.hasPathOrNull(k)) {
          extra = extra.withValue(k, overrides.getValue(k));
          overrides = overrides.withoutPath(k);
        }
      }
      return new ComponentSpec(
          kind, where, name, overrides.withFallback(defaults(merged, kind, name)),
          extra.withFallback(slot.extraDefaults()));
    }
    if (value.unwrapped() instanceof String name) {
      return new ComponentSpec(kind, where, name, defaults(merged, kind, name), slot.extraDefaults());
    }
    throw new IllegalArgumentException(
        where + ": expected a " + kind.label() + " name or an object with a name, got " + value.valueType());
  }

  /** {@code <section>.<name>} of the merged config: the user's settings over the plugin's defaults. */
  static Config defaults(Config merged, ComponentKind kind, String name) {
    String path = ConfigUtil.joinPath(kind.section(), name);
    return merged.hasPath(path) && merged.getValue(path) instanceof ConfigObject o
        ? o.toConfig()
        : ConfigFactory.empty();
  }
}
