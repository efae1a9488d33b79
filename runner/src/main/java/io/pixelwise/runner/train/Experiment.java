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
import io.pixelwise.runner.config.ComponentSpec;
import io.pixelwise.runner.config.DataSettings;
import io.pixelwise.runner.config.ModelSettings;
import io.pixelwise.runner.config.Settings;
import io.pixelwise.engine.input.SampleCache;
import io.pixelwise.engine.Cluster;
import io.pixelwise.engine.SegmentationGraph;
import io.pixelwise.engine.WeightedLoss;
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
  private Settings settings;
  private final PluginRegistry plugins;
  private final ImageReader images;
  private final Dataset dataset;
  private final boolean binary;
  private final List<WeightedLoss.Term> losses = new ArrayList<>();
  private ClassFrequencies frequencies;
  private boolean counted;
  private Path storedFrequencies;

  /** From a loaded config; its {@link Settings} are read (and checked) here. */
  public Experiment(Config config, PluginRegistry plugins, ImageReader images) {
    this(config, Settings.from(config), plugins, images);
  }

  /**
   * @param config the loaded config, kept to be written to the run folder
   * @param settings read from {@code config}
   * @param images how the dataset and the runner's own readers (predict, inspect) read image files
   */
  public Experiment(Config config, Settings settings, PluginRegistry plugins, ImageReader images) {
    this.config = config;
    this.settings = settings;
    this.plugins = plugins;
    this.images = images;
    ComponentSpec datasetSpec = settings.dataset();
    this.dataset = plugins.dataset(datasetSpec.name()).create(new DatasetContext(datasetSpec.options(), inputSize(), images));
    int batch = settings.train().batchSize();
    int replicas = trainingDevices().size();
    if (replicas > 1 && batch < replicas) {
      throw new IllegalArgumentException(
          "train.batch-size = " + batch + " is smaller than the " + replicas + " replicas (runtime.devices"
              + (cluster().isPresent() ? " on each of the cluster.workers" : "") + "): each replica trains on its"
              + " share of a batch, so give it at least one image per replica");
    }
    // The backbone's and head's options fail here, before any work (each graph gets fresh
    // instances: graphSpec).
    ModelSettings model = settings.model();
    plugins.backbone(model.backbone().name()).create(model.backbone().options());
    plugins.head(model.head().name()).create(model.head().options());
    if (settings.data().trainSplitNormalization()) {
      withTrainSplitStatistics();
    }
    this.binary = binaryOutput(model.sigmoid(), datasetSpec.name(), dataset.classes());
    LossContext context = new LossContext(classes(), binary, this::trainFrequencies);
    for (Settings.LossTerm term : settings.losses()) {
      ComponentSpec spec = term.spec();
      LossFactory factory = plugins.loss(spec.name());
      if (binary && !(factory instanceof ContextualLossFactory)) {
        throw new IllegalArgumentException(
            spec.path() + ": loss '" + spec.name() + "' takes one logit per class (its plugin registers a plain"
                + " LossFactory, api 1.0), so it cannot train a model with model.output = sigmoid");
      }
      losses.add(new WeightedLoss.Term(spec.name(), term.weight(), factory.create(spec.options(), context)));
    }
  }

  private static boolean binaryOutput(boolean sigmoid, String datasetName, ClassInfo classes) {
    if (sigmoid && classes.size() != 2) {
      throw new IllegalArgumentException(
          "model.output = sigmoid needs a dataset with 2 classes (background, foreground); '" + datasetName
              + "' has " + classes.size() + " (" + String.join(", ", classes.names())
              + "): use model.output = softmax");
    }
    return sigmoid;
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
            TrainClassFrequencies.count(dataset.split(Split.TRAIN), classes(), settings.data().workers());
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
  private void withTrainSplitStatistics() {
    DataSettings data = settings.data();
    try {
      double[][] stats = io.pixelwise.engine.input.ChannelStatistics.of(
          dataset.split(Split.TRAIN), inputSize(), channels(), data.normalizationImages());
      LOG.info("normalisation from the train split: mean {}, std {}", java.util.Arrays.toString(stats[0]),
          java.util.Arrays.toString(stats[1]));
      List<Double> mean = boxed(stats[0]);
      List<Double> std = boxed(stats[1]);
      settings = settings.withData(data.withStatistics(mean, std));
      config = config.withValue("data.mean", ConfigValueFactory.fromIterable(mean))
          .withValue("data.std", ConfigValueFactory.fromIterable(std))
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

  /** The experiment's typed settings, with computed values (normalisation) filled in. */
  public Settings settings() {
    return settings;
  }

  public Dataset dataset() {
    return dataset;
  }

  /**
   * The samples of a split as the input pipeline reads them: through the preprocessed cache when
   * {@code data.cache} is on (building it first if needed, on {@code workers}).
   */
  public SampleSource samples(Split split, ExecutorService workers) throws IOException {
    return settings.data().cache() ? samplesCached(split, workers) : dataset.split(split);
  }

  /** The split through the preprocessed cache, whatever {@code data.cache} says. */
  public SampleSource samplesCached(Split split, ExecutorService workers) throws IOException {
    SampleSource source = dataset.split(split);
    ComponentSpec datasetSpec = settings.dataset();
    String options = datasetSpec.options().root().render(ConfigRenderOptions.concise());
    String key = SampleCache.key(datasetSpec.name(), options, split.label(), inputSize(), channels(), source);
    String variant = String.format("%s-%dx%dx%d-%s", split.label(), inputSize().width(), inputSize().height(), channels(),
        Integer.toHexString(options.hashCode()));
    Path file = settings.data().cacheDir().resolve(datasetSpec.name()).resolve(variant + ".bin");
    return SampleCache.open(file, key, source, inputSize(), channels(), workers);
  }

  public ClassInfo classes() {
    return dataset.classes();
  }

  public InputSize inputSize() {
    return settings.data().size();
  }

  public int channels() {
    return settings.data().channels();
  }

  public long seed() {
    return settings.train().seed();
  }

  /** A short name for run folders: dataset and model. */
  public String name() {
    return settings.dataset().name() + "-" + settings.model().backbone().name();
  }

  /**
   * Builds the model graph (backbone, head, the weighted losses, optimizer) for this experiment,
   * its training step replicated over {@code runtime.devices}, with loss scaling for float16.
   */
  public SegmentationGraph buildGraph() {
    return new SegmentationGraph(
        graphSpec().withLossScale(settings.runtime().trainingLossScale()), trainingDevices(),
        cluster().map(Cluster::readsShards).orElse(false));
  }

  /**
   * The graph for evaluation and prediction in this process: no replicas, on the first of
   * {@code runtime.devices} (none: placed by TensorFlow), no loss scale (it only trains).
   */
  public SegmentationGraph buildInferenceGraph() {
    List<DeviceSpec> devices = devices();
    return new SegmentationGraph(graphSpec(), devices.isEmpty() ? List.of() : List.of(devices.get(0)));
  }

  /** {@code runtime.devices}: this process's devices, empty for one placed by TensorFlow. */
  public List<DeviceSpec> devices() {
    return settings.runtime().engine().replicas();
  }

  /** The devices one training step is replicated over: {@code runtime.devices}, on every cluster task. */
  public List<DeviceSpec> trainingDevices() {
    return cluster().map(c -> c.replicaDevices(devices())).orElse(devices());
  }

  /** The {@code cluster} section, when it lists workers. */
  public Optional<Cluster> cluster() {
    return settings.cluster();
  }

  /** Fresh components for one graph: backbone, head, the weighted losses, optimizer and input settings. */
  public SegmentationGraph.Spec graphSpec() {
    ComponentSpec backbone = settings.model().backbone();
    ComponentSpec head = settings.model().head();
    DataSettings data = settings.data();
    return new SegmentationGraph.Spec(
            plugins.backbone(backbone.name()).create(backbone.options()),
            plugins.head(head.name()).create(head.options()),
            new WeightedLoss(losses),
            classes(),
            binary,
            channels(),
            floats(data.mean()),
            floats(data.std()),
            settings.train().weightDecay(),
            settings.optimizer().optimizer(),
            seed());
  }

  /** Fresh metric instances, by registered name, in config order. */
  public Map<String, Metric> newMetrics() {
    Map<String, Metric> metrics = new LinkedHashMap<>();
    for (ComponentSpec spec : settings.eval().metrics()) {
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
