package io.pixelwise.runner.train;

import io.pixelwise.api.data.ClassFrequencies;
import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.engine.output.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The train split's class frequencies, for losses that balance classes by them: counted once
 * from the label maps as the dataset loads them (before resizing), and kept in the run folder as
 * {@value #FILE} so that evaluating or predicting with the run's checkpoints reuses them instead
 * of reading the split again.
 */
public final class TrainClassFrequencies {
  private static final Logger LOG = LoggerFactory.getLogger(TrainClassFrequencies.class);

  /** File name in the run folder. */
  public static final String FILE = "class-frequencies.json";

  private TrainClassFrequencies() {}

  /** Reads every label map of {@code split} on {@code threads} threads. */
  public static ClassFrequencies count(SampleSource split, ClassInfo classes, int threads) {
    LOG.info("counting the class pixels of {} train images for class-balanced loss weights", split.size());
    long start = System.nanoTime();
    ClassFrequencies.Counter counter = new ClassFrequencies.Counter(classes.size());
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), Trainer.daemonThreads());
    try {
      List<Future<?>> loads = new ArrayList<>();
      for (int i = 0; i < split.size(); i++) {
        int index = i;
        loads.add(pool.submit(() -> {
          Sample s = load(split, index);
          if (s.labels() == null) {
            throw new IllegalArgumentException(
                "class-balanced loss weights need a labelled train split; image " + s.id() + " has no labels");
          }
          counter.add(s.labels());
        }));
      }
      for (Future<?> f : loads) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while counting class frequencies", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    ClassFrequencies f = counter.result();
    LOG.info("counted {} labelled pixels in {} s", f.labelledPixels(), String.format("%.1f", (System.nanoTime() - start) / 1e9));
    return f;
  }

  private static Sample load(SampleSource split, int index) {
    try {
      return split.load(index);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /** Writes the counts with the frequencies and both kinds of computed weights, per class. */
  public static void write(Path file, ClassFrequencies f, ClassInfo classes) throws IOException {
    double[] inverse = f.inverseFrequencyWeights();
    double[] median = f.medianFrequencyWeights();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int c = 0; c < f.size(); c++) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", c);
      row.put("name", classes.name(c));
      row.put("pixels", f.pixels(c));
      row.put("image_pixels", f.imagePixels(c));
      row.put("frequency", f.frequency(c));
      row.put("inverse_frequency_weight", inverse[c]);
      row.put("median_frequency_weight", median[c]);
      rows.add(row);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("split", "train");
    doc.put("images", f.images());
    doc.put("labelled_pixels", f.labelledPixels());
    doc.put("classes", rows);
    Json.write(file, doc);
  }

  /**
   * Reads what {@link #write} wrote.
   *
   * @throws IllegalArgumentException if the file is malformed or was counted for other classes
   */
  public static ClassFrequencies read(Path file, ClassInfo classes) {
    try {
      Map<String, Object> doc = Json.read(file);
      List<Map<?, ?>> rows = new ArrayList<>();
      for (Object row : (List<?>) doc.get("classes")) {
        rows.add((Map<?, ?>) row);
      }
      List<String> names = rows.stream().map(r -> (String) r.get("name")).toList();
      if (!names.equals(classes.names())) {
        throw new IllegalArgumentException(
            file + " was counted for the classes " + names + ", but the dataset has " + classes.names());
      }
      long[] pixels = new long[rows.size()];
      long[] imagePixels = new long[rows.size()];
      for (int c = 0; c < pixels.length; c++) {
        pixels[c] = ((Number) rows.get(c).get("pixels")).longValue();
        imagePixels[c] = ((Number) rows.get(c).get("image_pixels")).longValue();
      }
      return new ClassFrequencies(pixels, imagePixels, ((Number) doc.get("images")).intValue());
    } catch (ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException(
          "cannot read class frequencies from " + file + ": expected what the run wrote (classes with name, pixels"
              + " and image_pixels; images), " + e.getMessage(), e);
    }
  }
}
