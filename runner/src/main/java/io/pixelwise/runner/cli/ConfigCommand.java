package io.pixelwise.runner.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "config", mixinStandardHelpOptions = true,
    description = "Validate an experiment and print its resolved config (every default filled in).")
final class ConfigCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Override
  public Integer call() {
    System.out.print(Setup.load(config).render());
    return 0;
  }
}
