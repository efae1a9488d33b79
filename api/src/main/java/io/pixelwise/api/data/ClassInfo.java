package io.pixelwise.api.data;

import java.util.List;

/**
 * The label set of a dataset. Train ids are 0..size()-1 in list order; pixels whose label is
 * {@link #ignoreId()} count neither in the loss nor in the metrics.
 */
public record ClassInfo(List<SegmentationClass> classes, int ignoreId, int ignoreRgb) {

  public ClassInfo {
    classes = List.copyOf(classes);
    if (classes.isEmpty() || classes.size() > 255) {
      throw new IllegalArgumentException("a label set needs 1 to 255 classes, got " + classes.size());
    }
    if (ignoreId >= 0 && ignoreId < classes.size()) {
      throw new IllegalArgumentException(
          "ignore id " + ignoreId + " collides with class '" + classes.get(ignoreId).name() + "'");
    }
    if (ignoreId < 0 || ignoreId > 255) {
      throw new IllegalArgumentException("ignore id must fit a uint8 label, got " + ignoreId);
    }
  }

  public int size() {
    return classes.size();
  }

  public String name(int id) {
    return id == ignoreId ? "ignore" : classes.get(id).name();
  }

  public int rgb(int id) {
    return id >= 0 && id < classes.size() ? classes.get(id).rgb() : ignoreRgb;
  }

  public List<String> names() {
    return classes.stream().map(SegmentationClass::name).toList();
  }
}
