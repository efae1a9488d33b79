package io.pixelwise.runner.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.pixelwise.api.plugin.ComponentKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The small reference config of these tests and helpers to load experiments against it. */
final class TestConfigs {
  static final Config REFERENCE =
      ConfigFactory.parseResources(
          TestConfigs.class.getClassLoader(),
          "config/test-reference.conf",
          ConfigParseOptions.defaults().setAllowMissing(false));

  static final Map<ComponentKind, Set<String>> KNOWN =
      Map.of(
          ComponentKind.DATASET, Set.of("synth"),
          ComponentKind.BACKBONE, Set.of("simple-conv", "tiny"),
          ComponentKind.HEAD, Set.of("bilinear"),
          ComponentKind.LOSS, Set.of("cross-entropy", "dice"),
          ComponentKind.METRIC, Set.of("confusion", "accuracy"));

  static final List<ClassLoader> LOADERS = List.of(TestConfigs.class.getClassLoader());

  private TestConfigs() {}

  /** Writes {@code text} to {@code dir/name}; returns the path as the user would type it. */
  static String write(Path dir, String name, String text) {
    try {
      Path file = dir.resolve(name);
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
      return file.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static LoadedConfig load(String conf, String... sets) {
    return LoadedConfig.of(ConfigLoader.read(conf, List.of(sets), LOADERS), REFERENCE, KNOWN);
  }

  static List<String> problems(String conf, String... sets) {
    return ConfigValidator.problems(ConfigLoader.read(conf, List.of(sets), LOADERS), REFERENCE, KNOWN);
  }
}
