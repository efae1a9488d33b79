package io.pixelwise.api.metric;

import java.util.List;

/**
 * Ground truth and predicted train ids of a batch, NHW row-major, one unsigned byte per pixel.
 * The arrays are reused for the next batch: copy what must outlive {@link Metric#update}.
 *
 * @param count images in the batch (the arrays may be longer)
 * @param probabilities class probabilities NHWC (softmax), or null unless a metric of the run
 *     {@linkplain Metric#needsProbabilities() asks for them}
 * @param ids the samples' ids (e.g. {@code um_000012}), or null where unknown
 */
public record PredictionBatch(
    int count, int height, int width, byte[] labels, byte[] predictions, float[] probabilities, List<String> ids) {

  public PredictionBatch(int count, int height, int width, byte[] labels, byte[] predictions) {
    this(count, height, width, labels, predictions, null, null);
  }

  public int pixels() {
    return count * height * width;
  }
}
