package io.pixelwise.runner.cli;

import io.pixelwise.runner.config.Settings;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.data.Split;
import io.pixelwise.engine.input.Batch;
import io.pixelwise.engine.input.BatchLoader;
import io.pixelwise.engine.ModelSession;
import io.pixelwise.engine.SegmentationGraph;
import io.pixelwise.engine.output.Json;
import io.pixelwise.runner.train.Experiment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Measures what users choose a framework by: how fast the input pipeline delivers batches (from
 * the dataset's files, and from the preprocessed cache), how fast the model trains and predicts,
 * and the peak memory. Prints a table, and JSON with {@code --json}.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
    description = "Measure input pipeline, training and inference speed (images/s) and peak memory.")
final class BenchmarkCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Option(names = "--steps", defaultValue = "20", description = "Timed training/inference steps (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--images", defaultValue = "200",
      description = "Images the pipeline benchmarks read, at most the train split (default: ${DEFAULT-VALUE}).")
  int images;

  @Option(names = "--only", split = ",", paramLabel = "WHAT",
      description = "Any of pipeline, cache, train, inference (default: all).")
  List<String> only = new ArrayList<>();

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
  Path json;

  @Override
  public Integer call() throws Exception {
    for (String w : only) {
      if (!List.of("pipeline", "cache", "train", "inference").contains(w)) {
        throw new IllegalArgumentException("--only " + w + ": expected pipeline, cache, train or inference");
      }
    }
    Setup setup = Setup.load(config);
    setup.prepareEngine();
    Settings c = setup.settings();
    Experiment experiment = setup.experiment();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("input", experiment.inputSize().width() + "x" + experiment.inputSize().height());
    out.put("batch_size", c.train().batchSize());
    out.put("cpus", Runtime.getRuntime().availableProcessors());
    out.put("onednn", System.getenv("TF_ENABLE_ONEDNN_OPTS"));
    out.put("precision", c.runtime().engine().precision().toString());
    out.put("png_decoder", setup.images().libdeflateInUse() ? "libdeflate" : "libpng (zlib)");
    ExecutorService workers = Executors.newFixedThreadPool(c.data().workers());
    try {
      SampleSource files = experiment.dataset().split(Split.TRAIN);
      int n = Math.min(images, files.size());
      SampleSource subset = first(files, n);
      if (wants("pipeline")) {
        out.put("pipeline_images_per_second", pipeline(subset, experiment, c, workers));
      }
      if (wants("cache")) {
        Path dir = Files.createTempDirectory("pixelwise-benchmark-cache");
        try {
          long start = System.nanoTime();
          SampleSource cached =
              io.pixelwise.engine.input.SampleCache.open(dir.resolve("train.bin"),
                  io.pixelwise.engine.input.SampleCache.key("benchmark", "", "train", experiment.inputSize(), experiment.channels(), subset),
                  subset, experiment.inputSize(), experiment.channels(), workers);
          out.put("cache_build_images_per_second", n / seconds(start));
          out.put("cache_read_images_per_second", pipeline(cached, experiment, c, workers));
        } finally {
          try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
          }
        }
      }
      if (wants("train") || wants("inference")) {
        model(experiment, c, subset, workers, out);
      }
    } finally {
      workers.shutdownNow();
    }
    out.put("peak_rss_mib", peakRssMib());
    print(out);
    if (json != null) {
      Json.write(json, out);
    }
    return 0;
  }

  private boolean wants(String what) {
    return only.isEmpty() || only.contains(what);
  }

  /** Batches through the loader as training reads them (shuffled, flipped, prefetched). */
  private static double pipeline(SampleSource source, Experiment experiment, Settings c, ExecutorService workers) {
    BatchLoader.Options options =
        new BatchLoader.Options(c.train().batchSize(), experiment.inputSize(), experiment.channels(), 1L,
            c.data().hflip(), c.data().prefetch());
    // Untimed: loading the native decoders and compiling the hot loops are once per process, not per
    // image; a first epoch reads thousands of files, so its steady rate is what is measured. The
    // workers load two samples per thread first (per-thread decoders and buffers are made then).
    int threads = c.data().workers();
    List<Callable<Object>> warmUp = new ArrayList<>();
    for (int i = 0; i < 2 * threads; i++) {
      int index = i % source.size();
      warmUp.add(() -> source.load(index));
    }
    try {
      for (java.util.concurrent.Future<Object> f : workers.invokeAll(warmUp)) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while warming up", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("warm-up load failed: " + e.getCause().getMessage(), e.getCause());
    }
    long start = System.nanoTime();
    int count = 0;
    try (BatchLoader loader = new BatchLoader(source, options, workers)) {
      while (loader.hasNext()) {
        try (Batch batch = loader.next()) {
          count += batch.count();
        }
      }
    }
    return count / seconds(start);
  }

  private void model(Experiment experiment, Settings c, SampleSource source, ExecutorService workers, Map<String, Object> out)
      throws Exception {
    int batchSize = c.train().batchSize();
    Batch batch;
    BatchLoader.Options options =
        new BatchLoader.Options(batchSize, experiment.inputSize(), experiment.channels(), 1L, false, 1);
    try (BatchLoader loader = new BatchLoader(first(source, Math.min(batchSize, source.size())), options, workers)) {
      batch = loader.next();
    }
    long buildStart = System.nanoTime();
    try (Batch fed = batch;
        SegmentationGraph graph = experiment.buildGraph();
        ModelSession session =
            new ModelSession(graph, c.runtime().engine())) {
      session.initialize();
      out.put("parameters", graph.parameterCount());
      out.put("inter_op_threads", session.interOpThreads());
      if (wants("train")) {
        long first = System.nanoTime();
        session.train(batch, 1e-4f, 1);
        out.put("seconds_to_first_step", (first - buildStart) / 1e9 + seconds(first));
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < warmup + steps; i++) {
          long t = System.nanoTime();
          session.train(batch, 1e-4f, i + 2);
          if (i >= warmup) {
            rates.add(batch.count() / seconds(t));
          }
        }
        out.put("train_images_per_second", summary(rates));
      }
      if (wants("inference")) {
        byte[] predictions = new byte[batch.pixels()];
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < warmup + steps; i++) {
          long t = System.nanoTime();
          session.predict(batch, predictions);
          if (i >= warmup) {
            rates.add(batch.count() / seconds(t));
          }
        }
        out.put("inference_images_per_second", summary(rates));
      }
    }
  }

  private static Map<String, Object> summary(List<Double> rates) {
    List<Double> sorted = rates.stream().sorted().toList();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("min", sorted.get(0));
    s.put("median", sorted.get(sorted.size() / 2));
    s.put("max", sorted.get(sorted.size() - 1));
    // Throughput over all timed steps: what a long run sees.
    s.put("mean", sorted.size() / sorted.stream().mapToDouble(r -> 1 / r).sum());
    return s;
  }

  private static SampleSource first(SampleSource source, int n) {
    return new SampleSource() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public io.pixelwise.api.data.Sample load(int index) throws java.io.IOException {
        return source.load(index);
      }

      @Override
      public String fingerprint() throws java.io.IOException {
        return source.fingerprint();
      }
    };
  }

  /** Peak resident memory of this process (Linux VmHWM), or -1 where unknown. */
  static long peakRssMib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  private static void print(Map<String, Object> out) {
    out.forEach((k, v) -> {
      if (v instanceof Map<?, ?> m) {
        System.out.printf(Locale.ROOT, "%-32s median %.1f (min %.1f, max %.1f, mean %.1f)%n", k,
            m.get("median"), m.get("min"), m.get("max"), m.get("mean"));
      } else if (v instanceof Double d) {
        System.out.printf(Locale.ROOT, "%-32s %.1f%n", k, d);
      } else {
        System.out.printf(Locale.ROOT, "%-32s %s%n", k, v);
      }
    });
  }
}
