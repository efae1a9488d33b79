package io.pixelwise.runner.config;

import com.typesafe.config.Config;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.engine.input.Augmentation;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code data}: the input size and normalisation, augmentation, image limits and the input
 * pipeline's threads and cache.
 *
 * @param mean per channel; its length is the model's channel count
 * @param trainSplitNormalization {@code data.normalization = train-split}: mean and std are
 *     measured on {@code normalizationImages} train images before training
 * @param augment {@code data.augment}, with ignore id 255 until the dataset's is known
 *     ({@link Augmentation#withIgnoreId})
 * @param workers decoding threads, at least 1
 */
public record DataSettings(
    InputSize size,
    List<Double> mean,
    List<Double> std,
    boolean trainSplitNormalization,
    int normalizationImages,
    boolean hflip,
    Augmentation augment,
    boolean skipBadSamples,
    long maxImagePixels,
    boolean libdeflate,
    int workers,
    int prefetch,
    boolean cache,
    Path cacheDir) {

  public DataSettings {
    mean = List.copyOf(mean);
    std = List.copyOf(std);
  }

  public static DataSettings from(Config c) {
    String normalization =
        Read.oneOf("data.normalization", c.getString("data.normalization"), "config", "train-split");
    List<Double> scale = c.getDoubleList("data.augment.scale");
    if (scale.size() != 2) {
      throw new IllegalArgumentException("data.augment.scale: expected [min, max], got " + scale);
    }
    long maxPixels = c.getLong("data.max-image-pixels");
    if (maxPixels < 1) {
      throw new IllegalArgumentException("data.max-image-pixels must be positive, got " + maxPixels);
    }
    List<Double> mean = c.getDoubleList("data.mean");
    List<Double> std = c.getDoubleList("data.std");
    if (mean.isEmpty() || std.size() != mean.size()) {
      throw new IllegalArgumentException(
          "data.mean and data.std need one value per channel (3 for RGB, 1 for grey), got " + mean.size() + " and "
              + std.size());
    }
    return new DataSettings(
        new InputSize(c.getInt("data.height"), c.getInt("data.width")),
        mean,
        std,
        normalization.equals("train-split"),
        c.getInt("data.normalization-images"),
        c.getBoolean("data.hflip"),
        new Augmentation(
            scale.get(0), scale.get(1), c.getDouble("data.augment.brightness"), c.getDouble("data.augment.contrast"),
            c.getDouble("data.augment.saturation"), 255),
        c.getBoolean("data.skip-bad-samples"),
        maxPixels,
        c.getBoolean("data.libdeflate"),
        Read.positive(c, "data.workers"),
        c.getInt("data.prefetch"),
        c.getBoolean("data.cache"),
        Path.of(c.getString("data.cache-dir")));
  }

  /** The model's input channels: 3 for RGB, 1 for grey. */
  public int channels() {
    return mean.size();
  }

  /** These settings with measured normalisation statistics. */
  public DataSettings withStatistics(List<Double> mean, List<Double> std) {
    return new DataSettings(
        size, mean, std, false, normalizationImages, hflip, augment, skipBadSamples, maxImagePixels, libdeflate,
        workers, prefetch, cache, cacheDir);
  }
}
