package io.pixelwise.runner.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The experiment file and its overrides, shared by every command that reads a config. */
final class ConfigOptions {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "CONF",
      description = "Experiment file (HOCON), or the name of a bundled recipe such as synthetic-simple.")
  String conf;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override a config value (HOCON syntax), e.g. --set train.epochs=3. Repeatable.")
  List<String> sets = new ArrayList<>();

  @Option(
      names = "--plugins",
      paramLabel = "DIR",
      description = "Plugins folder (default: the experiment's plugins.dir, else ./plugins): each jar, or "
          + "each sub-folder of jars, in it is a plugin.")
  Path plugins;
}
