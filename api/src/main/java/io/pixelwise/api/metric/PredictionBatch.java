package io.pixelwise.api.metric;

/**
 * Ground truth and predicted train ids of a batch, NHW row-major, one unsigned byte per pixel.
 * The arrays are reused for the next batch: copy what must outlive {@link Metric#update}.
 *
 * @param count images in the batch (the arrays may be longer)
 */
public record PredictionBatch(int count, int height, int width, byte[] labels, byte[] predictions) {

  public int pixels() {
    return count * height * width;
  }
}
