package io.pixelwise.api.data;

/** Per-pixel train ids (0..classes-1, or the ignore id), row by row, one unsigned byte each. */
public record LabelMap(int width, int height, byte[] ids) {

  public LabelMap {
    if (ids.length != (long) width * height) {
      throw new IllegalArgumentException(
          "label buffer holds " + ids.length + " bytes, expected " + (long) width * height);
    }
  }

  public int get(int x, int y) {
    return ids[y * width + x] & 0xff;
  }
}
