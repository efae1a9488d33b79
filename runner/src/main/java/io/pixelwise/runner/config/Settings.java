package io.pixelwise.runner.config;

import com.typesafe.config.Config;
import io.pixelwise.api.plugin.ComponentKind;
import io.pixelwise.engine.Cluster;
import java.util.List;
import java.util.Optional;

/**
 * A validated experiment as typed values: the one place that reads config keys. Built once, right
 * after the config is loaded, and value-checked there, so that a bad value fails before any work
 * (no run folder, no session). Everything downstream takes these records, never a {@link Config}.
 *
 * <p>The plugins' own options stay {@link Config} ({@link ComponentSpec#options()}): they are the
 * plugin's to read.
 */
public record Settings(
    ComponentSpec dataset,
    ModelSettings model,
    List<LossTerm> losses,
    DataSettings data,
    TrainSettings train,
    OptimizerSettings optimizer,
    EvalSettings eval,
    RuntimeSettings runtime,
    Optional<Cluster> cluster,
    OutputSettings output) {

  /** One entry of {@code loss}: the component and its weight in the sum. */
  public record LossTerm(ComponentSpec spec, double weight) {}

  /**
   * Reads and checks a config merged with the reference defaults (see {@link ConfigLoader}).
   *
   * @throws IllegalArgumentException naming the key, its value and what was expected
   */
  public static Settings from(Config c) {
    return new Settings(
        ComponentSpecs.single(c, ComponentKind.DATASET, "dataset"),
        ModelSettings.from(c),
        losses(c),
        DataSettings.from(c),
        TrainSettings.from(c),
        OptimizerSettings.from(c),
        new EvalSettings(
            Read.positive(c, "eval.batch-size"), ComponentSpecs.list(c, ComponentKind.METRIC, "eval.metrics")),
        RuntimeSettings.from(c),
        Cluster.of(
            c.getStringList("cluster.workers"), c.getInt("cluster.task-index"),
            c.getDouble("cluster.step-timeout-seconds"), c.getDouble("cluster.worker-exit-after-seconds"),
            c.getString("cluster.input")),
        OutputSettings.from(c));
  }

  /** This experiment with the data section replaced (normalisation computed from the train split). */
  public Settings withData(DataSettings data) {
    return new Settings(dataset, model, losses, data, train, optimizer, eval, runtime, cluster, output);
  }

  /** The directory of third-party plugin jars, {@code plugins.dir}, of a config that has it. */
  public static String pluginsDir(Config c) {
    return c.getString("plugins.dir");
  }

  /** {@code plugins.dir} of an experiment read on its own, before the plugins are known. */
  public static Optional<String> pluginsDirIfSet(Config c) {
    return c.hasPath("plugins.dir") ? Optional.of(c.getString("plugins.dir")) : Optional.empty();
  }

  private static List<LossTerm> losses(Config c) {
    return ComponentSpecs.list(c, ComponentKind.LOSS, "loss").stream()
        .map(spec -> {
          double weight = spec.extra().getDouble("weight");
          if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException(spec.path() + ".weight: expected a number > 0, got " + weight);
          }
          return new LossTerm(spec, weight);
        })
        .toList();
  }
}
