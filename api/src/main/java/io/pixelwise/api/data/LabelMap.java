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

  /** Resized by nearest neighbour, sampling at each output pixel's centre: ids never blend. */
  public LabelMap resized(int newWidth, int newHeight) {
    if (newWidth == width && newHeight == height) {
      return this;
    }
    byte[] out = new byte[newWidth * newHeight];
    for (int y = 0; y < newHeight; y++) {
      int sy = Math.min(height - 1, (int) ((y + 0.5) * height / newHeight));
      for (int x = 0; x < newWidth; x++) {
        int sx = Math.min(width - 1, (int) ((x + 0.5) * width / newWidth));
        out[y * newWidth + x] = ids[sy * width + sx];
      }
    }
    return new LabelMap(newWidth, newHeight, out);
  }
}
