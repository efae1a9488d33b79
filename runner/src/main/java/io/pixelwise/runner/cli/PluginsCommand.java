package io.pixelwise.runner.cli;

import io.pixelwise.api.plugin.Registration;
import io.pixelwise.runner.plugins.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "plugins", mixinStandardHelpOptions = true,
    description = "List every registered component: kind, name, version, api version and where it comes from.")
final class PluginsCommand implements Callable<Integer> {

  @Option(names = "--plugins", paramLabel = "DIR",
      description = "Plugins folder (default: ./plugins): each jar, or each sub-folder of jars, in it is a plugin.")
  Path plugins;

  @Override
  public Integer call() {
    Path dir = plugins != null ? plugins : Path.of(Setup.defaultPluginsDir());
    PluginRegistry registry = Setup.plugins(dir, plugins != null);
    List<Registration> all = registry.registrations();
    int nameWidth = width("NAME", all, Registration::name);
    int versionWidth = width("VERSION", all, r -> registry.source(r).version());
    int sourceWidth = width("SOURCE", all, r -> registry.source(r).location());
    String format = "%-9s %-" + nameWidth + "s %-" + versionWidth + "s %-4s %-" + sourceWidth + "s %s%n";
    System.out.printf(format, "KIND", "NAME", "VERSION", "API", "SOURCE", "PLUGIN");
    for (Registration r : all) {
      PluginRegistry.Source s = registry.source(r);
      System.out.printf(format, r.kind().label(), r.name(), s.version(), s.api(), s.location(), r.pluginClass());
    }
    System.out.println("plugins folder: " + dir.toAbsolutePath().normalize()
        + (Files.isDirectory(dir) ? "" : " (absent)"));
    return 0;
  }

  private static int width(String header, List<Registration> all, Function<Registration, String> column) {
    return Math.max(header.length(), all.stream().mapToInt(r -> column.apply(r).length()).max().orElse(0));
  }
}
