package io.pixelwise.runner.cli;

import io.pixelwise.api.plugin.Registration;
import io.pixelwise.runner.plugins.PluginRegistry;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "plugins", mixinStandardHelpOptions = true, description = "List every registered component by kind.")
final class PluginsCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    PluginRegistry registry = PluginRegistry.load();
    List<Registration> all = registry.registrations();
    int nameWidth = Math.max(4, all.stream().mapToInt(r -> r.name().length()).max().orElse(0));
    int moduleWidth = Math.max(6, all.stream().mapToInt(r -> registry.origin(r).length()).max().orElse(0));
    String format = "%-9s %-" + nameWidth + "s %-" + moduleWidth + "s %s%n";
    System.out.printf(format, "KIND", "NAME", "MODULE", "PLUGIN");
    for (Registration r : all) {
      System.out.printf(format, r.kind().label(), r.name(), registry.origin(r), r.pluginClass());
    }
    return 0;
  }
}
