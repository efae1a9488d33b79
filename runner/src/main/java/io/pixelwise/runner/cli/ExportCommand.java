package io.pixelwise.runner.cli;

import io.pixelwise.engine.ModelExport;
import io.pixelwise.engine.ModelSession;
import io.pixelwise.runner.train.Experiment;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Write a checkpoint as a TensorFlow SavedModel (signature serving_default: images -> labels, probabilities).")
final class ExportCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ExportCommand.class);

  @Mixin ConfigOptions config;

  @Mixin CheckpointOption checkpoint;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "New folder for the SavedModel.")
  Path output;

  @Override
  public Integer call() throws Exception {
    checkpoint.supplyRunConfig(config);
    Setup setup = Setup.load(config);
    Path prefix = checkpoint.prefix();
    setup.prepareEngine();
    Experiment experiment = setup.experiment();
    Map<String, float[]> trained;
    try (Setup.TrainedModel model = setup.restore(experiment, prefix)) {
      ModelSession session = model.session();
      trained = session.variableValues();
    }
    ModelExport.export(experiment.graphSpec(), trained, output);
    LOG.info("exported {} as a SavedModel into {}", prefix, output);
    return 0;
  }
}
