package io.pixelwise.runner.cli;

import io.pixelwise.engine.ModelSession;
import io.pixelwise.runner.predict.Predictor;
import io.pixelwise.runner.train.Experiment;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Label images: writes <name>_labels.png (palette, pixel = class id) and <name>_overlay.png.")
final class PredictCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(PredictCommand.class);

  @Mixin ConfigOptions config;

  @Mixin CheckpointOption checkpoint;

  @Option(names = "--input", required = true, paramLabel = "FILE|DIR|LIST|GLOB",
      description = "An image, a folder of PNG/JPEG images, a .txt list of image paths, or a glob such as 'data/**/*.png' (quote it).")
  String input;

  @Option(names = "--confidence", paramLabel = "CLASS",
      description = "Also write that class's probability as a grey PNG per image (KITTI images get the devkit's "
          + "um_road_000000.png naming, for its bird's-eye-view evaluation).")
  String confidence;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where the label and overlay PNGs go.")
  Path output;

  @Override
  public Integer call() throws Exception {
    checkpoint.supplyRunConfig(config);
    Setup setup = Setup.load(config);
    Path prefix = checkpoint.prefix();
    List<Path> files = Predictor.inputs(input);
    setup.prepareEngine();
    Experiment experiment = setup.experiment();
    try (Setup.TrainedModel model = setup.restore(experiment, prefix)) {
      ModelSession session = model.session();
      int n = new Predictor(session, experiment.classes(), experiment.inputSize(), experiment.channels(), experiment.images()).run(files, output, confidence);
      LOG.info("labelled {} image(s) into {}", n, output);
    }
    return 0;
  }
}
