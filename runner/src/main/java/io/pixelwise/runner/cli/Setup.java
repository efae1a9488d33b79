package io.pixelwise.runner.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigUtil;
import io.pixelwise.imaging.ImageDecoding;
import io.pixelwise.runner.config.ComponentSpec;
import io.pixelwise.runner.config.Settings;
import io.pixelwise.runner.config.ConfigLoader;
import io.pixelwise.runner.config.ConfigProblemsException;
import io.pixelwise.runner.config.LoadedConfig;
import io.pixelwise.runner.plugins.PluginFolder;
import io.pixelwise.runner.plugins.PluginRegistry;
import io.pixelwise.engine.EngineOptions;
import io.pixelwise.engine.GpuSupport;
import io.pixelwise.engine.ModelSession;
import io.pixelwise.engine.OneDnnChoice;
import io.pixelwise.engine.Precision;
import io.pixelwise.engine.SegmentationGraph;
import io.pixelwise.runner.train.Experiment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every config-reading command does first: plugins, validated config, engine environment. */
final class Setup {
  private static final Logger LOG = LoggerFactory.getLogger(Setup.class);
  private final PluginRegistry plugins;
  private final LoadedConfig loaded;
  private final Settings settings;
  private final ImageDecoding images;

  private Setup(PluginRegistry plugins, LoadedConfig loaded, Settings settings) {
    this.plugins = plugins;
    this.loaded = loaded;
    this.settings = settings;
    this.images = new ImageDecoding(settings.data().maxImagePixels(), settings.data().libdeflate());
  }

  /**
   * Finds the plugins, loads, validates and resolves the experiment and reads its settings; fails
   * before any work.
   */
  static Setup load(ConfigOptions options) {
    if (options.conf == null) {
      throw new IllegalArgumentException("missing CONF: an experiment file or bundled recipe name, e.g. synthetic-simple");
    }
    List<String> sets = new ArrayList<>(options.sets);
    PluginRegistry plugins;
    if (options.plugins != null) {
      Path dir = options.plugins.toAbsolutePath().normalize();
      plugins = plugins(dir, true);
      // Recorded in the resolved config, so that the run folder's config.conf finds them again.
      sets.add("plugins.dir=" + ConfigUtil.quoteString(dir.toString()));
    } else {
      String fallback = defaultPluginsDir();
      String dir = experimentPluginsDir(options.conf, options.sets).orElse(fallback);
      plugins = plugins(Path.of(dir), !dir.equals(fallback));
    }
    LoadedConfig loaded = ConfigLoader.load(options.conf, sets, plugins.classLoaders(), plugins.names());
    return new Setup(plugins, loaded, Settings.from(loaded.config()));
  }

  /** The built-in plugins and those in {@code dir}; a missing folder is an error only if {@code required}. */
  static PluginRegistry plugins(Path dir, boolean required) {
    return PluginRegistry.load(PluginFolder.scan(dir, required, Setup.class.getClassLoader()));
  }

  /** {@code plugins.dir} of the runner's reference.conf. */
  static String defaultPluginsDir() {
    return Settings.pluginsDir(ConfigLoader.reference(List.of(Setup.class.getClassLoader())));
  }

  /**
   * The experiment's {@code plugins.dir}, read before the plugins are known (their defaults are
   * needed to validate the rest). Anything unreadable here is left to the full load to report.
   */
  private static Optional<String> experimentPluginsDir(String conf, List<String> sets) {
    try {
      Config user = ConfigLoader.read(conf, sets, List.of(Setup.class.getClassLoader()))
          .resolve(ConfigResolveOptions.defaults().setAllowUnresolved(true));
      return Settings.pluginsDirIfSet(user);
    } catch (ConfigProblemsException | ConfigException e) {
      return Optional.empty();
    }
  }

  Settings settings() {
    return settings;
  }

  String render() {
    return loaded.render();
  }

  Experiment experiment() {
    return new Experiment(loaded.config(), settings, plugins, images);
  }

  /** How this run reads image files ({@code data.max-image-pixels}, {@code data.libdeflate}). */
  ImageDecoding images() {
    return images;
  }

  /**
   * Native settings that TensorFlow reads from the environment, made right before TensorFlow
   * loads (by relaunching when run as {@code java -jar}); then, for a GPU, CUDA is loaded and the
   * device checked. Logs what was chosen and why.
   */
  void prepareEngine() {
    EngineOptions engine = settings.runtime().engine();
    OneDnnChoice onednn = oneDnnChoice();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("TF_ENABLE_ONEDNN_OPTS", onednn.on() ? "1" : "0");
    if (settings.train().deterministic()) {
      // TensorFlow picks deterministic kernels (and refuses ops that have none) when this is set
      // before it loads; initialisation, data order, augmentation and dropout are seeded anyway.
      env.put("TF_DETERMINISTIC_OPS", "1");
    }
    if (System.getenv("TF_CPP_MIN_LOG_LEVEL") == null) {
      env.put("TF_CPP_MIN_LOG_LEVEL", "2");
    }
    env.putAll(engine.environment(System.getenv()));
    if (engine.precision() == Precision.MIXED_BFLOAT16 && !onednn.on()) {
      // TensorFlow runs its bfloat16 rewrite only while oneDNN is on; without it the graph would
      // silently stay float32.
      throw new IllegalArgumentException(
          "runtime.precision = mixed-bfloat16 needs oneDNN, which TensorFlow's bfloat16 rewrite runs on, but it is off ("
              + onednn.reason() + "): set runtime.onednn = on, or runtime.precision = float32");
    }
    if (engine.precision() == Precision.MIXED_BFLOAT16) {
      String unsupported = Precision.bfloat16Unsupported(cpuinfo(), System.getenv("ONEDNN_MAX_CPU_ISA"));
      if (unsupported != null) {
        throw new IllegalArgumentException(
            "runtime.precision = mixed-bfloat16 cannot run here: " + unsupported + "; set runtime.precision = float32");
      }
    }
    Relaunch.ensureEnvironment(env);
    LOG.info(onednn.describe());
    if (engine.hugePages()) {
      LOG.info("transparent huge pages for TensorFlow's memory (runtime.huge-pages = on): GLIBC_TUNABLES={}",
          System.getenv().getOrDefault("GLIBC_TUNABLES", "unset"));
    }
    logPrecision(engine.precision());
    if (engine.usesGpu()) {
      GpuSupport.prepare(engine);
      LOG.info("running on {} (CUDA loaded from the GPU build)", engine.gpus());
    }
    if (engine.xla()) {
      LOG.info("XLA auto-clustering on (runtime.xla = on)");
    }
  }

  private void logPrecision(Precision precision) {
    switch (precision) {
      case FLOAT32 -> { }
      case MIXED_FLOAT16 -> LOG.info(
          "precision mixed-float16: TensorFlow's auto_mixed_precision computes convolutions and matrix products in"
              + " float16 on GPUs of compute capability 7.0 or more (variables stay float32); dynamic loss scale from {}",
          settings.runtime().lossScale().initial());
      case MIXED_FLOAT16_EMULATED -> LOG.info(
          "precision mixed-float16-emulated: float32 kernels with float16 rounding on the CPU, to check float16"
              + " numerics (slower than float32); dynamic loss scale from {}",
          settings.runtime().lossScale().initial());
      case MIXED_BFLOAT16 -> LOG.info(
          "precision mixed-bfloat16: TensorFlow's oneDNN rewrite computes convolutions and matrix products in"
              + " bfloat16 on the CPU (variables, losses and reductions stay float32)");
    }
  }

  /** {@code /proc/cpuinfo}, or empty where there is none. */
  private static String cpuinfo() {
    try {
      return java.nio.file.Files.readString(Path.of("/proc/cpuinfo"));
    } catch (java.io.IOException | RuntimeException e) {
      return "";
    }
  }

  /** {@code runtime.onednn}, with {@code auto} resolved by the configured backbone's preference. */
  OneDnnChoice oneDnnChoice() {
    ComponentSpec backbone = settings.model().backbone();
    return OneDnnChoice.resolve(
        settings.runtime().onednn(), backbone.name(), plugins.backbone(backbone.name()).onednn(backbone.options()));
  }

  /** A trained model ready to use: its graph, and a session holding a checkpoint's values. */
  record TrainedModel(SegmentationGraph graph, ModelSession session) implements AutoCloseable {
    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  /**
   * Builds {@code experiment}'s graph and restores the checkpoint {@code prefix} into a new
   * session, with what the run computed at training time (class frequencies) read from its folder.
   */
  TrainedModel restore(Experiment experiment, java.nio.file.Path prefix) {
    experiment.reuseFrequenciesOf(io.pixelwise.runner.train.CheckpointStore.runFolderOf(prefix));
    SegmentationGraph graph = experiment.buildInferenceGraph();
    ModelSession session = null;
    try {
      session = new ModelSession(graph, settings.runtime().engine());
      session.initialize();
      session.restore(prefix);
      return new TrainedModel(graph, session);
    } catch (RuntimeException e) {
      // The session first: TensorFlow's Graph.close waits, forever, until no session uses the graph.
      if (session != null) {
        session.close();
      }
      graph.close();
      throw e;
    }
  }
}
