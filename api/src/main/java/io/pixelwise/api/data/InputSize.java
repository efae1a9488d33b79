package io.pixelwise.api.data;

/** The image size the model is fed, in pixels. */
public record InputSize(int height, int width) {

  public InputSize {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException("input size must be positive, got " + height + "x" + width);
    }
  }
}
