package io.pixelwise.runner.data;

import java.util.List;

/**
 * Images (NHWC uint8) and labels (NHW uint8 train ids) of one batch, ready to copy into tensors.
 *
 * @param labels null for unlabelled data
 */
public record Batch(int count, int height, int width, int channels, byte[] images, byte[] labels, List<String> ids) {

  public int pixels() {
    return count * height * width;
  }
}
