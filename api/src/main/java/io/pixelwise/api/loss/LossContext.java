package io.pixelwise.api.loss;

import io.pixelwise.api.data.ClassFrequencies;
import io.pixelwise.api.data.ClassInfo;
import java.util.function.Supplier;

/**
 * What a loss factory may need besides its options.
 *
 * @param classes the dataset's label set
 * @param binary true when the model emits one foreground logit per pixel (sigmoid; the label set
 *     then has exactly two classes, background 0 and foreground 1) instead of one logit per class
 *     (softmax)
 * @param trainFrequencies the class frequencies of the train split. Counting them reads the whole
 *     split, so call it only when the options ask for it, and only from {@link Loss#build}: the
 *     runner computes them once per run, on first use, and keeps them in the run folder.
 */
public record LossContext(ClassInfo classes, boolean binary, Supplier<ClassFrequencies> trainFrequencies) {

  public LossContext {
    if (binary && classes.size() != 2) {
      throw new IllegalArgumentException(
          "a binary (sigmoid) model needs exactly 2 classes, background and foreground; the label set has "
              + classes.size() + " (" + String.join(", ", classes.names()) + ")");
    }
  }

  /** A softmax context without train statistics (asking for them fails): for tests and tools. */
  public static LossContext of(ClassInfo classes) {
    return new LossContext(classes, false, LossContext::unavailable);
  }

  private static ClassFrequencies unavailable() {
    throw new IllegalStateException("class frequencies of the train split are not available here");
  }
}
