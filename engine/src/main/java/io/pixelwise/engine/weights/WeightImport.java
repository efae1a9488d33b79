package io.pixelwise.engine.weights;

import io.pixelwise.api.graph.ModelVariable;
import io.pixelwise.api.model.PretrainedName;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * Copies a backbone's pretrained weights from a file into its variables, by the names the
 * backbone declares ({@link io.pixelwise.api.model.Backbone#pretrainedNames()}).
 *
 * <p>Every array must match its variable's shape, with one exception: a 2-D dense kernel {@code
 * [k*k*in, out]} fills a {@code [k, k, in, out]} convolution (a classifier's fully connected layer
 * recast as a convolution; Keras flattens feature maps in this height, width, channel order).
 * With {@code bgr}, the image-input kernel's input channels are reversed, because Keras' and
 * caffe's VGG16 expect BGR images and Pixelwise feeds RGB.
 */
public final class WeightImport {

  /** What was imported: variable path to the file's array name; and the optional ones absent. */
  public record Report(Map<String, String> imported, List<String> absent) {
    public String describe() {
      return imported.size() + " tensors imported"
          + (absent.isEmpty() ? "" : "; not in the file, left at their initial values: " + String.join(", ", absent));
    }
  }

  private WeightImport() {}

  /**
   * @param scope the path prefix of the backbone's variables, e.g. {@code backbone/}
   * @param assign sets a variable to values (row-major, its own shape)
   * @throws IllegalArgumentException naming the variable and array when one is missing or mis-shaped
   */
  public static Report apply(
      WeightFile file,
      List<PretrainedName> names,
      List<ModelVariable> variables,
      String scope,
      boolean bgr,
      BiConsumer<ModelVariable, float[]> assign)
      throws IOException {
    String where = "weights " + file.path();
    if (names.isEmpty()) {
      throw new IllegalArgumentException(where + ": this backbone declares no pretrained weight names to import");
    }
    Map<String, WeightFile.Entry> entries = new LinkedHashMap<>();
    file.entries().forEach(e -> entries.put(e.name(), e));
    Map<String, ModelVariable> byPath = new LinkedHashMap<>();
    variables.forEach(v -> byPath.put(v.path(), v));

    Map<String, String> imported = new LinkedHashMap<>();
    List<String> absent = new ArrayList<>();
    // Check everything before assigning anything: a failed import leaves the model untouched.
    List<Runnable> assignments = new ArrayList<>();
    for (PretrainedName name : names) {
      String path = scope + name.variable();
      ModelVariable v = byPath.get(path);
      if (v == null) {
        throw new IllegalStateException("the backbone declares pretrained variable '" + path + "', which it did not create");
      }
      WeightFile.Entry entry = name.candidates().stream().map(entries::get).filter(e -> e != null).findFirst().orElse(null);
      if (entry == null) {
        if (name.optional()) {
          absent.add(path);
          continue;
        }
        throw new IllegalArgumentException(
            where + ": no array for " + path + " (looked for " + String.join(", ", name.candidates())
                + "); the file has: " + summary(entries.keySet()));
      }
      long[] want = v.shape().asArray();
      if (!fits(entry.shape(), want)) {
        throw new IllegalArgumentException(
            where + ": array '" + entry.name() + "' has shape " + entry.describeShape() + " but " + path
                + " needs " + Arrays.toString(want) + " (was the backbone built with the widths of the file?)");
      }
      boolean flip = bgr && name.imageInput();
      assignments.add(
          () -> {
            try {
              float[] values = file.read(entry.name());
              assign.accept(v, flip ? reverseInputChannels(values, want) : values);
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(where + ": cannot read '" + entry.name() + "': " + e.getMessage(), e);
            }
          });
      imported.put(path, entry.name());
    }
    try {
      assignments.forEach(Runnable::run);
    } catch (java.io.UncheckedIOException e) {
      throw new IOException(e.getMessage(), e.getCause());
    }
    return new Report(imported, absent);
  }

  /** Same shape, or a dense [k*k*in, out] kernel for a [k, k, in, out] convolution. */
  static boolean fits(long[] have, long[] want) {
    if (Arrays.equals(have, want)) {
      return true;
    }
    return have.length == 2 && want.length == 4 && have[1] == want[3] && have[0] == want[0] * want[1] * want[2];
  }

  /** Reverses axis 2 (input channels) of a row-major [kh, kw, in, out] kernel. */
  static float[] reverseInputChannels(float[] values, long[] shape) {
    if (shape.length != 4) {
      throw new IllegalStateException("the image-input kernel must be [kh, kw, in, out], got " + Arrays.toString(shape));
    }
    int spatial = (int) (shape[0] * shape[1]);
    int in = (int) shape[2];
    int out = (int) shape[3];
    float[] r = new float[values.length];
    for (int s = 0; s < spatial; s++) {
      for (int c = 0; c < in; c++) {
        System.arraycopy(values, (s * in + c) * out, r, (s * in + (in - 1 - c)) * out, out);
      }
    }
    return r;
  }

  private static String summary(Set<String> names) {
    return names.size() <= 12
        ? String.join(", ", names)
        : names.stream().limit(12).collect(Collectors.joining(", ")) + ", ... (" + names.size() + " in all)";
  }
}
