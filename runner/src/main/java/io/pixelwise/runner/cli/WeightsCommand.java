package io.pixelwise.runner.cli;

import io.pixelwise.engine.weights.WeightFile;
import io.pixelwise.engine.weights.WeightFiles;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "weights",
    mixinStandardHelpOptions = true,
    description = "Pretrained weight files (Keras .h5, NumPy .npz).",
    subcommands = {WeightsCommand.Inspect.class})
final class WeightsCommand {

  @Command(name = "inspect", mixinStandardHelpOptions = true, description = "List the arrays of a weight file: name, shape, type.")
  static final class Inspect implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "a .h5 or .npz file")
    Path file;

    @Override
    public Integer call() throws Exception {
      try (WeightFile w = WeightFiles.open(file)) {
        int width = Math.max(4, w.entries().stream().mapToInt(e -> e.name().length()).max().orElse(0));
        String format = "%-" + width + "s  %-22s %s%n";
        System.out.printf(format, "NAME", "SHAPE", "TYPE");
        long values = 0;
        for (WeightFile.Entry e : w.entries()) {
          System.out.printf(format, e.name(), e.describeShape(), e.type());
          values += e.size();
        }
        System.out.printf("%d arrays, %,d values%n", w.entries().size(), values);
      }
      return 0;
    }
  }
}
