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
    List<Registration> all = PluginRegistry.load().registrations();
    int nameWidth = Math.max(4, all.stream().mapToInt(r -> r.name().length()).max().orElse(0));
    String format = "%-9s %-" + nameWidth + "s %s%n";
    System.out.printf(format, "KIND", "NAME", "PLUGIN");
    for (Registration r : all) {
      System.out.printf(format, r.kind().label(), r.name(), r.pluginClass());
    }
    return 0;
  }
}
