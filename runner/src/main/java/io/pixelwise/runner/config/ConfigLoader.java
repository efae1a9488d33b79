package io.pixelwise.runner.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.pixelwise.api.plugin.ComponentKind;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads an experiment: the file (or bundled recipe), the {@code --set} overrides over it, and the
 * reference defaults it is validated against.
 */
public final class ConfigLoader {
  /** Class-path folder of the bundled recipes (the {@code conf} module's jar). */
  public static final String RECIPES = "conf/";

  private ConfigLoader() {}

  /** {@link #load(String, List, List, Map)} with one class loader. */
  public static LoadedConfig load(
      String conf, List<String> overrides, ClassLoader loader, Map<ComponentKind, Set<String>> knownNames) {
    return load(conf, overrides, List.of(loader), knownNames);
  }

  /**
   * Reads, validates and resolves an experiment.
   *
   * @param conf an experiment file, or the name of a recipe on the class path (see {@link #readExperiment})
   * @param overrides {@code key=value} settings in HOCON syntax, later ones winning
   * @param loaders the class loaders whose {@code reference.conf}s and recipes count, first ones
   *     winning: the application's, then one per plugin jar
   * @param knownNames registered component names per kind
   * @throws ConfigProblemsException if anything is wrong, listing every problem it could find
   */
  public static LoadedConfig load(
      String conf, List<String> overrides, List<ClassLoader> loaders, Map<ComponentKind, Set<String>> knownNames) {
    return LoadedConfig.of(read(conf, overrides, loaders), reference(loaders), knownNames);
  }

  /**
   * Every {@code reference.conf} visible to the loaders, merged, unresolved (so that the
   * experiment's values reach the defaults' substitutions). Unlike {@code ConfigFactory.load},
   * system properties play no part.
   */
  public static Config reference(List<ClassLoader> loaders) {
    Config reference = ConfigFactory.empty();
    for (ClassLoader loader : loaders) {
      reference = reference.withFallback(ConfigFactory.parseResourcesAnySyntax(loader, "reference.conf"));
    }
    return reference;
  }

  /**
   * The experiment as the user wrote it, unresolved and not validated: the overrides over the
   * file. Problems with the file and with every override are reported together.
   *
   * @throws ConfigProblemsException if the file is missing or malformed, or an override is
   */
  public static Config read(String conf, List<String> overrides, List<ClassLoader> loaders) {
    List<String> problems = new ArrayList<>();
    Config file = ConfigFactory.empty();
    try {
      file = readExperiment(conf, loaders);
    } catch (ConfigProblemsException e) {
      problems.addAll(e.problems());
    }
    Config sets = ConfigFactory.empty();
    try {
      sets = overrides(overrides);
    } catch (ConfigProblemsException e) {
      problems.addAll(e.problems());
    }
    if (!problems.isEmpty()) {
      throw new ConfigProblemsException(problems);
    }
    return sets.withFallback(file);
  }

  /**
   * Parses an experiment file, or where no such file exists, the class-path recipe
   * {@code conf/<conf>} or {@code conf/<conf>.conf}. Includes are relative to the file (or recipe).
   */
  public static Config readExperiment(String conf, List<ClassLoader> loaders) {
    if (conf == null || conf.isBlank()) {
      throw ConfigProblemsException.of("no experiment file given");
    }
    Path path = asPath(conf);
    if (path != null && Files.isDirectory(path)) {
      throw ConfigProblemsException.of(conf + " is a directory; expected an experiment file (HOCON)");
    }
    if (path != null && Files.isRegularFile(path)) {
      // Parsing the absolute file keeps relative includes working for a bare file name; the
      // description keeps messages in the user's terms.
      return parse(() -> ConfigFactory.parseFile(
          path.toAbsolutePath().toFile(),
          ConfigParseOptions.defaults().setAllowMissing(false).setOriginDescription(conf)));
    }
    Set<String> candidates = new LinkedHashSet<>();
    candidates.add(RECIPES + conf);
    candidates.add(RECIPES + conf + ".conf");
    if (conf.startsWith(RECIPES)) {
      candidates.add(conf); // a checkout-relative "conf/x.conf" typed outside the checkout
    }
    for (String resource : candidates) {
      for (ClassLoader loader : loaders) {
        if (loader.getResource(resource) != null) {
          return parse(() -> ConfigFactory.parseResources(
              loader, resource, ConfigParseOptions.defaults().setAllowMissing(false)));
        }
      }
    }
    String tried = path == null ? "" : path.toAbsolutePath() + ", and ";
    throw ConfigProblemsException.of("experiment file not found: " + conf + " (looked for " + tried
        + "class-path recipes " + String.join(", ", candidates) + ")");
  }

  /**
   * The overrides, later ones winning, each value parsed as HOCON.
   *
   * @throws ConfigProblemsException naming every malformed one
   */
  public static Config overrides(List<String> args) {
    List<String> problems = new ArrayList<>();
    Config sets = ConfigFactory.empty();
    for (String arg : args) {
      try {
        sets = override(arg).withFallback(sets);
      } catch (ConfigProblemsException e) {
        problems.addAll(e.problems());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigProblemsException(problems);
    }
    return sets;
  }

  /**
   * One {@code key=value}. The value is HOCON ({@code 3}, {@code [1,2,3]}, {@code {name = x}},
   * {@code ${train.epochs}}); a plain word that HOCON rejects (a Windows path, a URL) is taken as
   * the string it is.
   */
  static Config override(String arg) {
    String origin = "--set " + arg;
    int eq = arg.indexOf('=');
    if (eq < 0) {
      throw ConfigProblemsException.of(origin + ": expected KEY=VALUE, e.g. --set train.epochs=3");
    }
    String key = arg.substring(0, eq).trim();
    String text = arg.substring(eq + 1);
    if (key.isEmpty()) {
      throw ConfigProblemsException.of(origin + ": no key before '='");
    }
    try {
      ConfigUtil.splitPath(key);
    } catch (ConfigException e) {
      throw ConfigProblemsException.of(origin + ": '" + key + "' is not a valid key (" + e.getMessage() + ")", e);
    }
    ConfigValue value;
    try {
      ConfigObject parsed = ConfigFactory.parseString(
              "v = " + text, ConfigParseOptions.defaults().setOriginDescription(origin))
          .root();
      if (!parsed.keySet().equals(Set.of("v"))) {
        throw ConfigProblemsException.of(origin + ": sets more than one key; use one --set per key");
      }
      value = parsed.get("v");
    } catch (ConfigException e) {
      String t = text.strip();
      if (t.startsWith("[") || t.startsWith("{") || t.startsWith("\"") || t.contains("${")) {
        throw ConfigProblemsException.of(origin + ": the value is not valid HOCON: " + e.getMessage(), e);
      }
      value = ConfigValueFactory.fromAnyRef(t, origin);
    }
    return value.atPath(key);
  }

  private static Path asPath(String conf) {
    try {
      return Path.of(conf);
    } catch (InvalidPathException e) {
      return null; // not a usable file name; may still be a recipe name
    }
  }

  private static Config parse(Supplier<Config> parser) {
    try {
      return parser.get();
    } catch (ConfigException.Parse e) {
      throw ConfigProblemsException.of("invalid HOCON: " + e.getMessage(), e);
    } catch (ConfigException e) {
      throw ConfigProblemsException.of(e.getMessage(), e);
    }
  }
}
