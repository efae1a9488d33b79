package io.pixelwise.runner.cli;

import io.pixelwise.api.data.Split;
import io.pixelwise.api.metric.MetricResult;
import io.pixelwise.engine.ModelSession;
import io.pixelwise.engine.output.Json;
import io.pixelwise.runner.train.Evaluator;
import io.pixelwise.runner.train.Experiment;
import io.pixelwise.runner.train.Trainer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Evaluate a checkpoint on a labelled split.")
final class EvaluateCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Mixin CheckpointOption checkpoint;

  @Option(names = "--split", defaultValue = "val", paramLabel = "SPLIT", description = "train, val or test (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
  Path json;

  @Override
  public Integer call() throws Exception {
    checkpoint.supplyRunConfig(config);
    Setup setup = Setup.load(config);
    Split which = parseSplit(split);
    Path prefix = checkpoint.prefix();
    setup.prepareEngine();
    Experiment experiment = setup.experiment();
    ExecutorService workers = Executors.newFixedThreadPool(setup.settings().data().workers());
    try (Setup.TrainedModel model = setup.restore(experiment, prefix)) {
      ModelSession session = model.session();
      Evaluator.Evaluation eval =
          Evaluator.run(
              session,
              experiment.samples(which, workers),
              Trainer.evalOptions(experiment),
              experiment.newMetrics(),
              workers,
              "evaluate");
      System.out.printf(Locale.ROOT, "checkpoint %s, %s split: loss %.4f%n", prefix, which.label(), eval.loss());
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("checkpoint", prefix.toString());
      out.put("split", which.label());
      out.put("loss", eval.loss());
      for (Map.Entry<String, MetricResult> e : eval.metrics().entrySet()) {
        System.out.println(e.getValue().report());
        Map<String, Object> m = new LinkedHashMap<>(e.getValue().scalars());
        m.putAll(e.getValue().details());
        out.put(e.getKey(), m);
      }
      if (json != null) {
        Json.write(json, out);
      }
    } finally {
      workers.shutdownNow();
    }
    return 0;
  }

  static Split parseSplit(String s) {
    for (Split v : Split.values()) {
      if (v.label().equals(s)) {
        return v;
      }
    }
    throw new IllegalArgumentException("--split " + s + ": expected train, val or test");
  }
}
