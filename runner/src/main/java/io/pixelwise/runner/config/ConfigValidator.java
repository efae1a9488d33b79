package io.pixelwise.runner.config;

import static io.pixelwise.runner.config.ConfigSupport.append;
import static io.pixelwise.runner.config.ConfigSupport.child;
import static io.pixelwise.runner.config.ConfigSupport.describe;
import static io.pixelwise.runner.config.ConfigSupport.find;
import static io.pixelwise.runner.config.ConfigSupport.join;
import static io.pixelwise.runner.config.ConfigSupport.keys;
import static io.pixelwise.runner.config.ConfigSupport.where;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.pixelwise.api.plugin.ComponentKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Strict validation of an experiment against the reference defaults: every key the user sets must
 * exist there, every value must have the reference's type, and every component choice must name a
 * registered component with options that exist in its defaults. All problems are collected and
 * reported together.
 */
public final class ConfigValidator {
  private static final ConfigObject EMPTY = ConfigFactory.empty().root();
  private static final Set<String> BOOLEAN_WORDS = Set.of("true", "false", "yes", "no", "on", "off");

  private final Config reference;
  private final Map<ComponentKind, Set<String>> known;
  private final List<String> problems = new ArrayList<>();
  private ConfigObject ref;

  private ConfigValidator(Config reference, Map<ComponentKind, Set<String>> knownNames) {
    this.reference = reference;
    this.known = knownNames;
  }

  /**
   * Validates and merges.
   *
   * @param user the experiment (file plus overrides), resolved or not
   * @param reference the defaults (all {@code reference.conf}s), resolved or not
   * @param knownNames registered component names per kind; a missing kind means none
   * @return the user config over the reference, resolved (see {@link #merge})
   * @throws ConfigProblemsException listing every problem found
   */
  public static Config validate(Config user, Config reference, Map<ComponentKind, Set<String>> knownNames) {
    ConfigValidator v = new ConfigValidator(reference, knownNames);
    Config merged = v.check(user);
    if (!v.problems.isEmpty()) {
      throw new ConfigProblemsException(v.problems);
    }
    return merged;
  }

  /** Every problem of {@link #validate}, without throwing; empty when the config is valid. */
  public static List<String> problems(Config user, Config reference, Map<ComponentKind, Set<String>> knownNames) {
    ConfigValidator v = new ConfigValidator(reference, knownNames);
    v.check(user);
    return List.copyOf(v.problems);
  }

  /**
   * The user config with fallback to the reference, resolved. A component choice the user makes
   * replaces the reference's choice whole, so that the options of one component never mix with
   * the default choice (a string in the reference may become an object in the experiment).
   *
   * @throws ConfigException if substitutions cannot be resolved
   */
  public static Config merge(Config user, Config reference) {
    return merge(user, reference, ConfigResolveOptions.defaults());
  }

  private static Config merge(Config user, Config reference, ConfigResolveOptions options) {
    Config base = reference;
    for (SpecSlot slot : ComponentSpecs.SLOTS) {
      if (find(user.root(), slot.path()) != null) {
        base = base.withoutPath(slot.path());
      }
    }
    return user.withFallback(base).resolve(options);
  }

  private Config check(Config user) {
    try {
      ref = reference.resolve().root();
    } catch (ConfigException e) {
      problems.add("the defaults (reference.conf) do not resolve: " + e.getMessage());
      return null;
    }
    // Keys are checked on the unresolved experiment: resolution could fail, and would hide where
    // a key was written only through its value's origin anyway.
    checkKeys(user.root(), ref, "", List.of());
    Config merged;
    String unresolvable = null;
    try {
      merged = merge(user, reference);
    } catch (ConfigException e) {
      // Often a consequence of another problem (a section replaced by a number breaks the
      // defaults' substitutions into it): check what did resolve, report this last.
      unresolvable = e.getMessage();
      merged = merge(user, reference, ConfigResolveOptions.defaults().setAllowUnresolved(true));
    }
    checkTypes(ref, merged.root(), "");
    for (SpecSlot slot : ComponentSpecs.SLOTS) {
      checkSlot(slot, merged.root());
    }
    if (unresolvable != null) {
      problems.add(unresolvable);
      return null;
    }
    return merged;
  }

  // ---- keys ----

  /**
   * Flags keys of {@code user} missing from {@code refLevel}.
   *
   * @param prefix the user's path to {@code user}, for messages ("" at the root)
   * @param refAt the reference path of {@code refLevel}
   */
  private void checkKeys(ConfigObject user, ConfigObject refLevel, String prefix, List<String> refAt) {
    for (String key : keys(user)) {
      ConfigValue u = child(user, key);
      if (u == null) {
        continue;
      }
      String display = sub(prefix, key);
      if (ComponentSpecs.slot(display).isPresent()) {
        continue; // checked on the merged config, see checkSlot
      }
      ComponentKind section = prefix.isEmpty() ? sectionKind(key) : null;
      if (section != null) {
        checkSection(section, u, child(refLevel, key), display);
        continue;
      }
      ConfigValue r = child(refLevel, key);
      if (r == null) {
        unknownKey(prefix, key, u, refLevel, refAt, "unknown key");
      } else if (u instanceof ConfigObject uo && r instanceof ConfigObject ro && !ro.isEmpty()) {
        // An empty object in a reference.conf is a free-form map (e.g. metrics.confusion.groups):
        // its keys are the user's to choose; the component checks their values.
        checkKeys(uo, ro, display, append(refAt, key));
      }
      // A leaf where the reference has an object (or the reverse) is a type problem, see checkTypes.
    }
  }

  /** {@code backbones { <name> { ... } }}: names must be registered (or have defaults). */
  private void checkSection(ComponentKind kind, ConfigValue user, ConfigValue refSection, String display) {
    if (!(user instanceof ConfigObject names)) {
      return;
    }
    ConfigObject refNames = refSection instanceof ConfigObject o ? o : EMPTY;
    for (String name : keys(names)) {
      ConfigValue u = child(names, name);
      ConfigValue r = child(refNames, name);
      String at = sub(display, name);
      if (r == null && !knownNames(kind).contains(name)) {
        problems.add(at + ": unknown " + kind.label() + " '" + name + "' (" + where(u) + "); " + knownList(kind));
      } else if (u instanceof ConfigObject uo) {
        checkKeys(uo, r instanceof ConfigObject ro ? ro : EMPTY, at, List.of(kind.section(), name));
      } else if (r == null) {
        problems.add(at + ": expected an object of " + kind.label() + " options, got " + describe(u) + " (" + where(u) + ")");
      }
    }
  }

  /** One problem per leaf under the unknown key, each with its own line. */
  private void unknownKey(
      String prefix, String key, ConfigValue user, ConfigObject refLevel, List<String> refAt, String what) {
    Set<String> siblings = keys(refLevel);
    List<String> close = ConfigSupport.closest(key, siblings);
    Map<List<String>, ConfigValue> leaves = new LinkedHashMap<>();
    ConfigSupport.leaves(user, List.of(), leaves);
    for (Map.Entry<List<String>, ConfigValue> leaf : leaves.entrySet()) {
      List<String> rest = leaf.getKey();
      String hint;
      if (!close.isEmpty()) {
        hint = "did you mean "
            + close.stream().map(c -> suggestion(prefix, refAt, c, rest)).collect(Collectors.joining(" or "))
            + "?";
      } else if (siblings.isEmpty()) {
        hint = join(refAt) + " has no settings";
      } else {
        hint = (refAt.isEmpty() ? "valid top-level keys: " : "valid keys in " + join(refAt) + ": ")
            + String.join(", ", siblings);
      }
      String display = sub(prefix, key) + (rest.isEmpty() ? "" : "." + ConfigUtil.joinPath(rest));
      problems.add(display + ": " + what + " (" + where(leaf.getValue()) + "); " + hint);
    }
  }

  /** The user's path with the misspelt key corrected, as deep as the reference confirms it. */
  private String suggestion(String prefix, List<String> refAt, String candidate, List<String> rest) {
    List<String> full = new ArrayList<>(refAt);
    full.add(candidate);
    full.addAll(rest);
    String fixed = sub(prefix, candidate);
    return find(ref, full) != null && !rest.isEmpty() ? fixed + "." + ConfigUtil.joinPath(rest) : fixed;
  }

  // ---- types ----

  /** Compares {@code actual} with the reference value's type, the way the getters will read it. */
  private void checkTypes(ConfigValue refValue, ConfigValue actual, String display) {
    if (actual == null || !resolved(actual) || refValue.valueType() == ConfigValueType.NULL) {
      return;
    }
    if (actual.valueType() == ConfigValueType.NULL) {
      typeProblem(display, refValue, actual);
      return;
    }
    switch (refValue.valueType()) {
      case OBJECT -> {
        if (!(actual instanceof ConfigObject a)) {
          typeProblem(display, refValue, actual);
          return;
        }
        ConfigObject r = (ConfigObject) refValue;
        for (String key : keys(r)) {
          String at = sub(display, key);
          if (ComponentSpecs.slot(at).isEmpty()) {
            checkTypes(r.get(key), child(a, key), at);
          }
        }
      }
      case LIST -> {
        if (!(actual instanceof ConfigList a)) {
          typeProblem(display, refValue, actual);
          return;
        }
        ConfigValue proto = elementPrototype((ConfigList) refValue);
        if (proto != null) {
          for (int i = 0; i < a.size(); i++) {
            checkTypes(proto, a.get(i), display + "[" + i + "]");
          }
        }
      }
      case STRING -> {
        if (actual instanceof ConfigObject || actual instanceof ConfigList) {
          typeProblem(display, refValue, actual);
        }
      }
      case NUMBER -> {
        if (actual.valueType() != ConfigValueType.NUMBER
            && !(actual.unwrapped() instanceof String s && isNumber(s))) {
          typeProblem(display, refValue, actual);
        }
      }
      case BOOLEAN -> {
        if (actual.valueType() != ConfigValueType.BOOLEAN
            && !(actual.unwrapped() instanceof String s && BOOLEAN_WORDS.contains(s))) {
          typeProblem(display, refValue, actual);
        }
      }
      default -> {}
    }
  }

  /** The type every element of a reference list shares, or null (empty or mixed: anything goes). */
  private static ConfigValue elementPrototype(ConfigList list) {
    if (list.isEmpty()) {
      return null;
    }
    ConfigValueType type = list.get(0).valueType();
    return list.stream().allMatch(v -> v.valueType() == type) && type != ConfigValueType.NULL ? list.get(0) : null;
  }

  private static boolean isNumber(String s) {
    // As Typesafe's getters convert strings.
    try {
      Long.parseLong(s);
      return true;
    } catch (NumberFormatException e) {
      try {
        Double.parseDouble(s);
        return true;
      } catch (NumberFormatException e2) {
        return false;
      }
    }
  }

  private void typeProblem(String display, ConfigValue refValue, ConfigValue actual) {
    problems.add(display + ": expected " + ConfigSupport.typeName(refValue.valueType()) + ", got "
        + describe(actual) + " (" + where(actual) + ")");
  }

  // ---- component choices ----

  private void checkSlot(SpecSlot slot, ConfigObject merged) {
    ComponentKind kind = slot.kind();
    ConfigValue value = find(merged, slot.path());
    if (value != null && !resolved(value)) {
      return;
    }
    if (value == null) {
      problems.add(slot.path() + ": no " + kind.label() + " chosen; " + knownList(kind));
      return;
    }
    if (!(value instanceof ConfigList list)) {
      checkChoice(slot, slot.path(), value);
      return;
    }
    if (!slot.multiple()) {
      problems.add(slot.path() + ": expected one " + kind.label() + " (a name, or an object with a name and"
          + " options), got a list (" + where(value) + ")");
      return;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = slot.path() + "[" + i + "]";
      String name = checkChoice(slot, at, list.get(i));
      if (name != null && !seen.add(name)) {
        problems.add(at + ": " + kind.label() + " '" + name + "' is listed twice (" + where(list.get(i)) + ")");
      }
    }
  }

  /** Checks one choice; returns its name, or null where it has none. */
  private String checkChoice(SpecSlot slot, String at, ConfigValue value) {
    ComponentKind kind = slot.kind();
    if (!resolved(value)) {
      return null;
    }
    if (value.valueType() == ConfigValueType.STRING) {
      String name = (String) value.unwrapped();
      checkName(kind, at, name, value);
      return name;
    }
    if (!(value instanceof ConfigObject choice)) {
      problems.add(at + ": expected a " + kind.label() + " name, or an object with a name and options, got "
          + describe(value) + " (" + where(value) + "); " + knownList(kind));
      return null;
    }
    ConfigValue nameValue = child(choice, SpecSlot.NAME);
    if (nameValue == null) {
      problems.add(at + ": a " + kind.label() + " object needs a name, as in " + at + " { name = ..., <options> } ("
          + where(value) + "); " + knownList(kind) + ". To change options of a component without choosing"
          + " it, set " + kind.section() + ".<name>.<option>");
      return null;
    }
    if (!resolved(nameValue)) {
      return null;
    }
    if (nameValue.valueType() != ConfigValueType.STRING) {
      problems.add(at + ".name: expected a " + kind.label() + " name, got " + describe(nameValue) + " ("
          + where(nameValue) + ")");
      return null;
    }
    String name = (String) nameValue.unwrapped();
    if (!checkName(kind, at, name, nameValue)) {
      return name;
    }
    List<String> defaultsAt = List.of(kind.section(), name);
    ConfigObject defaults = find(ref, defaultsAt) instanceof ConfigObject o ? o : EMPTY;
    ConfigObject extras = slot.extraDefaults().resolve().root();
    for (String key : keys(choice)) {
      ConfigValue u = child(choice, key);
      if (key.equals(SpecSlot.NAME) || u == null) {
        continue;
      }
      String display = sub(at, key);
      if (extras.containsKey(key)) {
        checkTypes(extras.get(key), u, display);
        continue;
      }
      ConfigValue r = child(defaults, key);
      if (r == null) {
        unknownOption(kind, name, at, key, u, defaults, defaultsAt);
        continue;
      }
      if (u instanceof ConfigObject uo && r instanceof ConfigObject ro && !ro.isEmpty()) {
        checkKeys(uo, ro, display, append(defaultsAt, key));
      }
      checkTypes(r, u, display);
    }
    return name;
  }

  private void unknownOption(
      ComponentKind kind, String name, String at, String key, ConfigValue u, ConfigObject defaults,
      List<String> defaultsAt) {
    String what = "unknown option of " + kind.label() + " '" + name + "'";
    if (keys(defaults).isEmpty()) {
      problems.add(sub(at, key) + ": " + what + " (" + where(u) + "); " + kind.label() + " '" + name
          + "' has no options");
    } else {
      unknownKey(at, key, u, defaults, defaultsAt, what);
    }
  }

  private boolean checkName(ComponentKind kind, String at, String name, ConfigValue origin) {
    if (knownNames(kind).contains(name)) {
      return true;
    }
    problems.add(at + ": unknown " + kind.label() + " '" + name + "' (" + where(origin) + "); " + knownList(kind));
    return false;
  }

  // ---- helpers ----

  /** False for a value left unresolved (only after a failed resolution). */
  private static boolean resolved(ConfigValue value) {
    try {
      value.valueType();
      return true;
    } catch (ConfigException.NotResolved e) {
      return false;
    }
  }

  private Set<String> knownNames(ComponentKind kind) {
    Set<String> names = known.get(kind);
    return names == null ? Set.of() : names;
  }

  private String knownList(ComponentKind kind) {
    Set<String> names = new TreeSet<>(knownNames(kind));
    return names.isEmpty()
        ? "no " + kind.section() + " are registered"
        : "known " + kind.section() + ": " + String.join(", ", names);
  }

  private static ComponentKind sectionKind(String key) {
    for (ComponentKind kind : ComponentKind.values()) {
      if (kind.section().equals(key)) {
        return kind;
      }
    }
    return null;
  }

  private static String sub(String prefix, String key) {
    String k = ConfigUtil.joinPath(key);
    return prefix.isEmpty() ? k : prefix + "." + k;
  }
}
