package io.pixelwise.datasets.synthetic;

import com.typesafe.config.Config;
import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.Dataset;
import io.pixelwise.api.data.DatasetContext;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.data.RasterImage;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.data.Split;
import io.pixelwise.datasets.StreetClasses;
import java.util.EnumMap;
import java.util.Map;

/**
 * Procedurally generated street scenes in the seven Cityscapes categories: the default dataset, so
 * that training works on a fresh machine with nothing downloaded. Scenes are rendered on demand at
 * the model's input size; sample {@code i} of a split is the same image for the same seed, on
 * every machine and in every run.
 */
public final class SyntheticStreets implements Dataset {
  private final Map<Split, Integer> sizes;
  private final long seed;
  private final StreetSceneRenderer renderer;

  public SyntheticStreets(Map<Split, Integer> sizes, long seed, InputSize size) {
    this.sizes = new EnumMap<>(sizes);
    this.seed = seed;
    this.renderer = new StreetSceneRenderer(size.width(), size.height());
  }

  /** Options: {@code train-size}, {@code val-size}, {@code test-size}, {@code seed}. */
  public static SyntheticStreets fromConfig(DatasetContext context) {
    Config options = context.options();
    Map<Split, Integer> sizes = new EnumMap<>(Split.class);
    for (Split split : Split.values()) {
      String key = split.label() + "-size";
      int n = options.getInt(key);
      if (n < 0) {
        throw new IllegalArgumentException(
            "datasets.synthetic-streets." + key + " must be >= 0, got " + n);
      }
      sizes.put(split, n);
    }
    return new SyntheticStreets(sizes, options.getLong("seed"), context.size());
  }

  @Override
  public ClassInfo classes() {
    return StreetClasses.SEVEN;
  }

  @Override
  public SampleSource split(Split split) {
    int count = sizes.getOrDefault(split, 0);
    return new SampleSource() {
      @Override
      public int size() {
        return count;
      }

      @Override
      public Sample load(int index) {
        if (index < 0 || index >= count) {
          throw new IndexOutOfBoundsException(
              "synthetic-streets " + split.label() + " has " + count + " samples, asked for #" + index);
        }
        return render(split, index);
      }
    };
  }

  private Sample render(Split split, int index) {
    // Splits draw from disjoint seed streams, so no validation scene is a training scene.
    long sceneSeed = mix(mix(seed) ^ (split.ordinal() + 1L) * 0x632BE59BD9B4E019L ^ index);
    Canvas canvas = renderer.render(sceneSeed);
    byte[] pixels = new byte[canvas.rgb.length * 3];
    for (int i = 0; i < canvas.rgb.length; i++) {
      int c = canvas.rgb[i];
      pixels[3 * i] = (byte) (c >> 16);
      pixels[3 * i + 1] = (byte) (c >> 8);
      pixels[3 * i + 2] = (byte) c;
    }
    String id = String.format("%s-%05d", split.label(), index);
    return new Sample(
        id,
        new RasterImage(canvas.width, canvas.height, 3, pixels),
        new LabelMap(canvas.width, canvas.height, canvas.labels.clone()));
  }

  /** SplitMix64 finaliser: spreads nearby integers (seeds, indices) over the whole long range. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
