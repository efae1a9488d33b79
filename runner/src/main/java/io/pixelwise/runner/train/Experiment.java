package io.pixelwise.runner.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import io.pixelwise.api.data.ClassFrequencies;
import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.Dataset;
import io.pixelwise.api.data.DatasetContext;
import io.pixelwise.api.data.ImageReader;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.data.Split;
import io.pixelwise.api.loss.ContextualLossFactory;
import io.pixelwise.api.loss.LossContext;
import io.pixelwise.api.loss.LossFactory;
import io.pixelwise.api.metric.Metric;
import io.pixelwise.api.plugin.ComponentKind;
import io.pixelwise.runner.config.ComponentSpec;
import io.pixelwise.runner.config.ComponentSpecs;
import io.pixelwise.runner.data.SampleCache;
import io.pixelwise.runner.engine.Cluster;
import io.pixelwise.runner.engine.Devices;
import io.pixelwise.runner.engine.LossScale;
import io.pixelwise.runner.engine.Optimizer;
import io.pixelwise.runner.engine.Precision;
import io.pixelwise.runner.engine.SegmentationGraph;
import io.pixelwise.runner.engine.WeightedLoss;
import io.pixelwise.runner.plugins.PluginRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.tensorflow.DeviceSpec;
import org.slf4j.LoggerFactory;

/**
 * A validated config turned into components: the dataset, the losses and everything needed to
 * build the graph and the metrics. Creating it runs no TensorFlow code; loss options are checked
 * here, before any work.
 *
 * <p>Losses that balance classes by the train split's frequencies get them through their
 * {@link LossContext}: counted on first use (when the graph is built), or read from a run folder
 * that has them (see {@link #reuseFrequenciesOf}).
 */
public final class Experiment {
  private static final Logger LOG = LoggerFactory.getLogger(Experiment.class);

  private Config config;
  private final PluginRegistry plugins;
  private final ImageReader images;
  private final ComponentSpec datasetSpec;
  private final Dataset dataset;
  private final InputSize inputSize;
  private final List<ComponentSpec> metricSpecs;
  private final Optimizer optimizer;
  /** Dynamic loss scaling of the training step (float16 precisions), or null. */
  private final LossScale lossScale;
  private final List<DeviceSpec> devices;
  private final Optional<Cluster> cluster;
  private final boolean binary;
  private final List<WeightedLoss.Term> losses = new ArrayList<>();
  private ClassFrequencies frequencies;
  private boolean counted;
  private Path storedFrequencies;

  /** @param images how the dataset and the runner's own readers (predict, inspect) read image files */
  public Experiment(Config config, PluginRegistry plugins, ImageReader images) {
    this.config = config;
    this.plugins = plugins;
    this.images = images;
    this.inputSize = new InputSize(config.getInt("data.height"), config.getInt("data.width"));
    this.datasetSpec = ComponentSpecs.single(config, ComponentKind.DATASET, "dataset");
    this.dataset = plugins.dataset(datasetSpec.name()).create(new DatasetContext(datasetSpec.options(), inputSize, images));
    this.metricSpecs = ComponentSpecs.list(config, ComponentKind.METRIC, "eval.metrics");
    // Built here so that its options fail before any run folder exists; it holds no graph state.
    this.optimizer = Optimizer.fromConfig(config.getConfig("optimizer"));
    // Checked whatever the precision, so that a bad value never waits for a float16 run to show.
    LossScale scale = LossScale.fromConfig(config.getConfig("runtime.loss-scale"));
    this.lossScale = Precision.parse(config.getString("runtime.precision")).scalesLoss() ? scale : null;
    this.devices = Devices.parse("runtime.devices", config.getStringList("runtime.devices"));
    this.cluster = Cluster.fromConfig(config.getConfig("cluster"));
    int batch = config.getInt("train.batch-size");
    int replicas = trainingDevices().size();
    if (replicas > 1 && batch < replicas) {
      throw new IllegalArgumentException(
          "train.batch-size = " + batch + " is smaller than the " + replicas + " replicas (runtime.devices"
              + (cluster.isPresent() ? " on each of the cluster.workers" : "") + "): each replica trains on its"
              + " share of a batch, so give it at least one image per replica");
    }
    // Likewise the backbone's and head's options (each graph gets fresh instances: graphSpec).
    ComponentSpec backbone = ComponentSpecs.single(config, ComponentKind.BACKBONE, "model.backbone");
    plugins.backbone(backbone.name()).create(backbone.options());
    ComponentSpec head = ComponentSpecs.single(config, ComponentKind.HEAD, "model.head");
    plugins.head(head.name()).create(head.options());
    String normalization = config.getString("data.normalization");
    switch (normalization) {
      case "config" -> {}
      case "train-split" -> this.config = withTrainSplitStatistics(config);
      default -> throw new IllegalArgumentException(
          "data.normalization: expected config or train-split, got '" + normalization + "'");
    }
    this.binary = binaryOutput(config.getString("model.output"), datasetSpec.name(), dataset.classes());
    LossContext context = new LossContext(classes(), binary, this::trainFrequencies);
    for (ComponentSpec spec : ComponentSpecs.list(config, ComponentKind.LOSS, "loss")) {
      double weight = spec.extra().getDouble("weight");
      if (!(weight > 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException(spec.path() + ".weight: expected a number > 0, got " + weight);
      }
      LossFactory factory = plugins.loss(spec.name());
      if (binary && !(factory instanceof ContextualLossFactory)) {
        throw new IllegalArgumentException(
            spec.path() + ": loss '" + spec.name() + "' takes one logit per class (its plugin registers a plain"
                + " LossFactory, api 1.0), so it cannot train a model with model.output = sigmoid");
      }
      losses.add(new WeightedLoss.Term(spec.name(), weight, factory.create(spec.options(), context)));
    }
  }

  private static boolean binaryOutput(String output, String datasetName, ClassInfo classes) {
    return switch (output) {
      case "softmax" -> false;
      case "sigmoid" -> {
        if (classes.size() != 2) {
          throw new IllegalArgumentException(
              "model.output = sigmoid needs a dataset with 2 classes (background, foreground); '" + datasetName
                  + "' has " + classes.size() + " (" + String.join(", ", classes.names())
                  + "): use model.output = softmax");
        }
        yield true;
      }
      default -> throw new IllegalArgumentException(
          "model.output: expected softmax or sigmoid, got '" + output + "'");
    };
  }

  /** How image files are read: the reader the dataset got. */
  public ImageReader images() {
    return images;
  }

  /** The configured losses with their weights, in config order. */
  public List<WeightedLoss.Term> losses() {
    return List.copyOf(losses);
  }

  /** Whether the model emits one foreground logit (sigmoid) rather than one per class. */
  public boolean binary() {
    return binary;
  }

  /**
   * Takes the train class frequencies, when a loss asks for them, from {@code runFolder}'s
   * {@value TrainClassFrequencies#FILE} (written by the run that trained it) rather than counting
   * the split again; counts where the file is missing.
   */
  public void reuseFrequenciesOf(Path runFolder) {
    storedFrequencies = runFolder == null ? null : runFolder.resolve(TrainClassFrequencies.FILE);
  }

  /** The train class frequencies, once a loss has asked for them; absent otherwise. */
  public synchronized Optional<ClassFrequencies> usedFrequencies() {
    return Optional.ofNullable(frequencies);
  }

  /** True when {@link #usedFrequencies} were counted by this experiment rather than read. */
  public synchronized boolean countedFrequencies() {
    return counted;
  }

  private synchronized ClassFrequencies trainFrequencies() {
    if (frequencies == null) {
      if (storedFrequencies != null && Files.isRegularFile(storedFrequencies)) {
        frequencies = TrainClassFrequencies.read(storedFrequencies, classes());
        LOG.info("class frequencies from {}", storedFrequencies);
      } else {
        if (storedFrequencies != null) {
          LOG.info("no {}; counting the train split again", storedFrequencies);
        }
        frequencies =
            TrainClassFrequencies.count(dataset.split(Split.TRAIN), classes(), Math.max(1, config.getInt("data.workers")));
        counted = true;
      }
    }
    return frequencies;
  }

  /**
   * Replaces data.mean and data.std by the statistics of (an even sample of) the training images
   * at the input size, so that the run's saved config carries them and evaluate/predict with that
   * config normalise exactly as training did.
   */
  private Config withTrainSplitStatistics(Config c) {
    int images = c.getInt("data.normalization-images");
    try {
      double[][] stats = io.pixelwise.runner.data.ChannelStatistics.of(
          dataset.split(Split.TRAIN), inputSize, channels(), images);
      org.slf4j.LoggerFactory.getLogger(Experiment.class).info(
          "normalisation from the train split: mean {}, std {}", java.util.Arrays.toString(stats[0]),
          java.util.Arrays.toString(stats[1]));
      return c.withValue("data.mean", ConfigValueFactory.fromIterable(boxed(stats[0])))
          .withValue("data.std", ConfigValueFactory.fromIterable(boxed(stats[1])))
          .withValue("data.normalization", ConfigValueFactory.fromAnyRef("config"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("computing data.normalization = train-split: " + e.getMessage(), e);
    }
  }

  private static List<Double> boxed(double[] values) {
    return java.util.Arrays.stream(values).map(v -> Math.round(v * 1000) / 1000.0).boxed().toList();
  }

  /** The experiment's config as a loadable file, with computed values (normalisation) filled in. */
  public String render() {
    return config.root().render(
        ConfigRenderOptions.defaults().setOriginComments(false).setComments(false).setJson(false));
  }

  public Config config() {
    return config;
  }

  public Dataset dataset() {
    return dataset;
  }

  /**
   * The samples of a split as the input pipeline reads them: through the preprocessed cache when
   * {@code data.cache} is on (building it first if needed, on {@code workers}).
   */
  public SampleSource samples(Split split, ExecutorService workers) throws IOException {
    return config.getBoolean("data.cache") ? samplesCached(split, workers) : dataset.split(split);
  }

  /** The split through the preprocessed cache, whatever {@code data.cache} says. */
  public SampleSource samplesCached(Split split, ExecutorService workers) throws IOException {
    SampleSource source = dataset.split(split);
    String options = datasetSpec.options().root().render(ConfigRenderOptions.concise());
    String key = SampleCache.key(datasetSpec.name(), options, split.label(), inputSize, channels(), source);
    String variant = String.format("%s-%dx%dx%d-%s", split.label(), inputSize.width(), inputSize.height(), channels(),
        Integer.toHexString(options.hashCode()));
    Path file = Path.of(config.getString("data.cache-dir")).resolve(datasetSpec.name()).resolve(variant + ".bin");
    return SampleCache.open(file, key, source, inputSize, channels(), workers);
  }

  public ClassInfo classes() {
    return dataset.classes();
  }

  public InputSize inputSize() {
    return inputSize;
  }

  public int channels() {
    return config.getDoubleList("data.mean").size();
  }

  public long seed() {
    return config.getLong("train.seed");
  }

  /** A short name for run folders: dataset and model. */
  public String name() {
    return datasetSpec.name() + "-" + ComponentSpecs.single(config, ComponentKind.BACKBONE, "model.backbone").name();
  }

  /**
   * Builds the model graph (backbone, head, the weighted losses, optimizer) for this experiment,
   * its training step replicated over {@code runtime.devices}, with loss scaling for float16.
   */
  public SegmentationGraph buildGraph() {
    return new SegmentationGraph(
        graphSpec().withLossScale(lossScale), trainingDevices(), cluster.map(Cluster::readsShards).orElse(false));
  }

  /**
   * The graph for evaluation and prediction in this process: no replicas, on the first of
   * {@code runtime.devices} (none: placed by TensorFlow), no loss scale (it only trains).
   */
  public SegmentationGraph buildInferenceGraph() {
    return new SegmentationGraph(graphSpec(), devices.isEmpty() ? List.of() : List.of(devices.get(0)));
  }

  /** {@code runtime.devices}: this process's devices, empty for one placed by TensorFlow. */
  public List<DeviceSpec> devices() {
    return devices;
  }

  /** The devices one training step is replicated over: {@code runtime.devices}, on every cluster task. */
  public List<DeviceSpec> trainingDevices() {
    return cluster.map(c -> c.replicaDevices(devices)).orElse(devices);
  }

  /** The {@code cluster} section, when it lists workers. */
  public Optional<Cluster> cluster() {
    return cluster;
  }

  /** Fresh components for one graph: backbone, head, the weighted losses, optimizer and input settings. */
  public SegmentationGraph.Spec graphSpec() {
    ComponentSpec backbone = ComponentSpecs.single(config, ComponentKind.BACKBONE, "model.backbone");
    ComponentSpec head = ComponentSpecs.single(config, ComponentKind.HEAD, "model.head");
    return new SegmentationGraph.Spec(
            plugins.backbone(backbone.name()).create(backbone.options()),
            plugins.head(head.name()).create(head.options()),
            new WeightedLoss(losses),
            classes(),
            binary,
            channels(),
            floats(config.getDoubleList("data.mean")),
            floats(config.getDoubleList("data.std")),
            (float) config.getDouble("train.weight-decay"),
            optimizer,
            seed());
  }

  /** Fresh metric instances, by registered name, in config order. */
  public Map<String, Metric> newMetrics() {
    Map<String, Metric> metrics = new LinkedHashMap<>();
    for (ComponentSpec spec : metricSpecs) {
      metrics.put(spec.name(), plugins.metric(spec.name()).create(spec.options(), classes()));
    }
    return metrics;
  }

  private static float[] floats(List<Double> values) {
    float[] f = new float[values.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = values.get(i).floatValue();
    }
    return f;
  }
}
