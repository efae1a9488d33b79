package io.pixelwise.runner.cli;

import io.pixelwise.api.data.RasterImage;
import io.pixelwise.api.graph.ModelVariable;
import io.pixelwise.engine.input.Batch;
import io.pixelwise.engine.ModelSession;
import io.pixelwise.engine.SegmentationGraph;
import io.pixelwise.imaging.ImageDecoding;
import io.pixelwise.runner.output.LabelImages;
import io.pixelwise.runner.report.Grids;
import io.pixelwise.runner.train.Experiment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Seed 003's views: a conv layer's filters, and a layer's activations for an image, as PNG grids. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Save a conv layer's filters and/or a layer's activations for an image as PNG grids; "
        + "without --filters or --activations, list what can be inspected.")
final class InspectCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Mixin CheckpointOption checkpoint;

  @Option(names = "--filters", paramLabel = "VARIABLE", description = "A conv kernel, e.g. backbone/stem/kernel.")
  String filters;

  @Option(names = "--activations", paramLabel = "ENDPOINT", description = "A backbone endpoint, or logits.")
  String activations;

  @Option(names = "--image", paramLabel = "FILE", description = "The image whose activations to show.")
  Path image;

  @Option(names = "--output", paramLabel = "DIR", defaultValue = "inspect", description = "Where the PNGs go (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(names = "--max-channels", defaultValue = "64", description = "Activation channels shown (default: ${DEFAULT-VALUE}).")
  int maxChannels;

  @Override
  public Integer call() throws Exception {
    if (activations != null && image == null) {
      throw new IllegalArgumentException("--activations needs --image FILE");
    }
    checkpoint.supplyRunConfig(config);
    Setup setup = Setup.load(config);
    Path prefix = checkpoint.prefix();
    setup.prepareEngine();
    Experiment experiment = setup.experiment();
    try (Setup.TrainedModel model = setup.restore(experiment, prefix)) {
      ModelSession session = model.session();
      SegmentationGraph graph = model.graph();
      if (filters == null && activations == null) {
        System.out.println("conv kernels (--filters):");
        for (ModelVariable v : graph.modelVariables()) {
          if (v.shape().numDimensions() == 4) {
            System.out.println("  " + v.path() + "  " + v.shape());
          }
        }
        System.out.println("endpoints (--activations): " + session.endpoints());
        return 0;
      }
      Files.createDirectories(output);
      if (filters != null) {
        ModelVariable v = graph.modelVariables().stream().filter(x -> x.path().equals(filters)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("--filters " + filters + ": no such variable; 4-D kernels: "
                + graph.modelVariables().stream().filter(x -> x.shape().numDimensions() == 4).map(ModelVariable::path).toList()));
        if (v.shape().numDimensions() != 4) {
          throw new IllegalArgumentException("--filters " + filters + " has shape " + v.shape() + "; expected a conv kernel [h, w, in, out]");
        }
        float[] values = session.variableValues().get(filters);
        long[] s = v.shape().asArray();
        Path file = output.resolve(filters.replace('/', '_') + "_filters.png");
        LabelImages.writePng(Grids.filters(values, (int) s[0], (int) s[1], (int) s[2], (int) s[3]), file);
        System.out.println("wrote " + file);
      }
      if (activations != null) {
        RasterImage picture = io.pixelwise.runner.predict.Predictor.decode(experiment.images(), image, experiment.channels());
        RasterImage resized = ImageDecoding.resize(picture, experiment.inputSize().width(), experiment.inputSize().height());
        ModelSession.Activation a;
        try (Batch batch = new Batch(1, resized.height(), resized.width(), resized.channels(), resized.pixels(), null, List.of(image.toString()))) {
          a = session.activation(activations, batch);
        }
        Path file = output.resolve(activations.replace('/', '_') + "_activations.png");
        LabelImages.writePng(Grids.activations(a.values(), (int) a.shape()[1], (int) a.shape()[2], (int) a.shape()[3], maxChannels), file);
        System.out.println("wrote " + file + " (" + Math.min(a.shape()[3], maxChannels) + " of " + a.shape()[3] + " channels)");
      }
    }
    return 0;
  }
}
