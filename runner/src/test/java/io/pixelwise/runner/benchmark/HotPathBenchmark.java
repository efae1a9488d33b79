package io.pixelwise.runner.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.Dataset;
import io.pixelwise.api.data.DatasetContext;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.data.SegmentationClass;
import io.pixelwise.api.data.Split;
import io.pixelwise.api.metric.Metric;
import io.pixelwise.api.metric.PredictionBatch;
import io.pixelwise.engine.input.Batch;
import io.pixelwise.engine.input.BatchLoader;
import io.pixelwise.imaging.ImageDecoding;
import io.pixelwise.runner.plugins.PluginRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Java hot paths around a training step, without running a graph: assembling batches (into
 * the tensors the session is fed) from samples already in memory, which is what is left once the
 * cache has done the decoding, and updating the confusion-matrix metric from predictions. Prints min/median/max of repeated timings; run with
 * {@code mvn -o test -pl runner -am -Dbenchmarks -Dtest=HotPathBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * (sizes: {@code -Dpixelwise.benchmark.height}, {@code .width}, {@code .batch}, {@code .repeats}).
 */
@Tag("benchmark")
class HotPathBenchmark {
  private static final int H = Integer.getInteger("pixelwise.benchmark.height", 160);
  private static final int W = Integer.getInteger("pixelwise.benchmark.width", 384);
  private static final int BATCH = Integer.getInteger("pixelwise.benchmark.batch", 10);
  private static final int REPEATS = Integer.getInteger("pixelwise.benchmark.repeats", 15);
  private static final PluginRegistry PLUGINS = PluginRegistry.load();

  @Test
  void batchAssembly() throws Exception {
    // 100 samples: 10 batches per pass.
    Dataset streets = PLUGINS.dataset("synthetic-streets")
        .create(new DatasetContext(
            ConfigFactory.parseString("train-size = 100, val-size = 0, test-size = 0, seed = 3"), new InputSize(H, W), new ImageDecoding()));
    SampleSource generated = streets.split(Split.TRAIN);
    Sample[] samples = new Sample[generated.size()];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = generated.load(i);
    }
    SampleSource inMemory = new SampleSource() {
      @Override
      public int size() {
        return samples.length;
      }

      @Override
      public Sample load(int index) {
        return samples[index];
      }
    };
    ExecutorService workers = Executors.newFixedThreadPool(2);
    try {
      for (boolean hflip : new boolean[] {false, true}) {
        BatchLoader.Options options = new BatchLoader.Options(BATCH, new InputSize(H, W), 3, 7L, hflip, 3);
        double[] imagesPerSecond = new double[REPEATS];
        for (int r = -2; r < REPEATS; r++) {
          long start = System.nanoTime();
          int images = 0;
          try (BatchLoader loader = new BatchLoader(inMemory, options, workers)) {
            while (loader.hasNext()) {
              try (Batch b = loader.next()) {
                images += b.count();
              }
            }
          }
          assertEquals(samples.length / BATCH * BATCH, images - images % BATCH);
          if (r >= 0) {
            imagesPerSecond[r] = images / ((System.nanoTime() - start) / 1e9);
          }
        }
        print("batch assembly " + W + "x" + H + ", batch " + BATCH + (hflip ? ", hflip" : "") + ", 2 workers",
            "img/s", imagesPerSecond);
      }
    } finally {
      workers.shutdownNow();
    }
  }

  @Test
  void confusionMatrixUpdate() {
    // Cityscapes' 19 training classes; the colours do not matter here.
    List<SegmentationClass> list = new ArrayList<>();
    for (int c = 0; c < 19; c++) {
      list.add(SegmentationClass.of("class" + c, c, c, c));
    }
    ClassInfo classes = new ClassInfo(list, 255, 0);
    Config options = ConfigFactory.defaultReference().getConfig("metrics.confusion");
    Metric metric = PLUGINS.metric("confusion").create(options, classes);
    int pixels = BATCH * H * W;
    byte[] labels = new byte[pixels];
    byte[] predictions = new byte[pixels];
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < pixels; i++) {
      // ~5% ignored pixels, and predictions right ~80% of the time, as in a trained model.
      labels[i] = (byte) (random.nextInt(20) == 0 ? classes.ignoreId() : random.nextInt(classes.size()));
      predictions[i] = random.nextInt(5) == 0 ? (byte) random.nextInt(classes.size()) : labels[i];
    }
    PredictionBatch batch = new PredictionBatch(BATCH, H, W, labels, predictions);
    int updates = 50;
    double[] megapixelsPerSecond = new double[REPEATS];
    for (int r = -2; r < REPEATS; r++) {
      metric.reset();
      long start = System.nanoTime();
      for (int u = 0; u < updates; u++) {
        metric.update(batch);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      if (r >= 0) {
        megapixelsPerSecond[r] = (double) updates * pixels / seconds / 1e6;
      }
    }
    metric.result();
    print("confusion update, " + classes.size() + " classes, batch " + BATCH + " of " + W + "x" + H,
        "Mpixel/s", megapixelsPerSecond);
  }

  private static void print(String what, String unit, double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    System.out.printf(Locale.ROOT, "BENCH %s: median %.1f %s (min %.1f, max %.1f, %d runs)%n",
        what, v[v.length / 2], unit, v[0], v[v.length - 1], v.length);
  }
}
