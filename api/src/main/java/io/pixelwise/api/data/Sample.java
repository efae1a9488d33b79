package io.pixelwise.api.data;

/**
 * One image with its labels.
 *
 * @param id stable identifier shown in logs and output names, e.g. a file stem
 * @param labels train ids of the same size as the image, or null where the split has no labels
 */
public record Sample(String id, RasterImage image, LabelMap labels) {

  public Sample {
    if (labels != null && (labels.width() != image.width() || labels.height() != image.height())) {
      throw new IllegalArgumentException(
          id + ": labels are " + labels.width() + "x" + labels.height() + " but the image is "
              + image.width() + "x" + image.height());
    }
  }
}
