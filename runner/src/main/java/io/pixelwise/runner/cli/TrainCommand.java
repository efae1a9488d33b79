package io.pixelwise.runner.cli;

import io.pixelwise.runner.output.RunFolder;
import io.pixelwise.runner.train.Experiment;
import io.pixelwise.runner.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model; writes a run folder.")
final class TrainCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);

  @Mixin ConfigOptions config;

  @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: <output.dir>/<dataset>-<backbone>-<time>).")
  Path out;

  @Option(names = "--resume", paramLabel = "RUN_DIR",
      description = "Go on with an interrupted run from its latest checkpoint: same data order, schedule and "
          + "optimizer state. CONF defaults to RUN_DIR/config.conf.")
  Path resume;

  @Override
  public Integer call() throws Exception {
    if (resume != null) {
      if (out != null) {
        throw new IllegalArgumentException("--resume continues in its own run folder; drop --out");
      }
      if (config.conf == null) {
        config.conf = resume.resolve("config.conf").toString();
      }
    }
    Setup setup = Setup.load(config);
    setup.prepareEngine();
    Experiment experiment = setup.experiment();
    var cluster = experiment.cluster();
    if (cluster.isPresent() && !cluster.get().chief()) {
      throw new IllegalArgumentException(
          "cluster.task-index = " + cluster.get().task() + " is a worker: run `pixelwise worker` with it;"
              + " train runs on task 0, the chief");
    }
    if (resume != null) {
      experiment.reuseFrequenciesOf(resume);
    }
    try (RunFolder run = resume != null
        ? RunFolder.open(resume)
        : RunFolder.create(out, setup.settings().output().dir(), experiment.name())) {
      Trainer.Resume from = null;
      if (resume != null) {
        from = Trainer.Resume.from(run, setup.settings().train().bestBy());
      } else {
        Files.writeString(run.configFile(), experiment.render());
      }
      LOG.info("run folder {}", run.dir());
      Trainer.Summary summary;
      try {
        summary = new Trainer(experiment, run).train(from);
      } catch (RuntimeException | IOException e) {
        run.recordFailure(e);
        if (cluster.isEmpty() || !(e instanceof org.tensorflow.exceptions.TensorFlowException)) {
          throw e;
        }
        // A worker died or became unreachable: the latest checkpoint is intact.
        throw new IllegalStateException(
            "a training step failed on the cluster " + cluster.get().workers() + " (a worker stopped or cannot be"
                + " reached): " + e.getMessage() + "\nrestart the workers, then: pixelwise train --resume " + run.dir(), e);
      }
      LOG.info(
          "done: {} steps, best {} = {} at {}; metrics in {}",
          summary.steps(), setup.settings().train().bestBy(), String.format("%.4f", summary.bestScore()),
          summary.bestCheckpoint(), run.metricsJson());
    }
    return 0;
  }
}
