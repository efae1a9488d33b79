package io.pixelwise.datasets.synthetic;

import java.awt.Shape;
import java.awt.geom.Rectangle2D;

/**
 * An RGB image and its label map painted together, back to front: every shape writes its colour
 * and its class into the pixels whose centres it covers, so labels are exact by construction.
 */
final class Canvas {

  /** Colour of a pixel, as 0xRRGGBB. */
  @FunctionalInterface
  interface Shader {
    int rgb(int x, int y);
  }

  /** A per-pixel predicate for shapes that {@link Shape} cannot express (ragged tree crowns). */
  @FunctionalInterface
  interface Mask {
    boolean covers(int x, int y);
  }

  final int width;
  final int height;
  final int[] rgb;
  final byte[] labels;

  Canvas(int width, int height) {
    this.width = width;
    this.height = height;
    this.rgb = new int[width * height];
    this.labels = new byte[width * height];
  }

  void paint(Shape shape, int label, Shader shader) {
    paint(shape, null, label, shader);
  }

  /** Paints the pixels inside {@code shape} (its bounds, at least) and, if given, {@code mask}. */
  void paint(Shape shape, Mask mask, int label, Shader shader) {
    Rectangle2D bounds = shape.getBounds2D();
    int x0 = Math.max(0, (int) Math.floor(bounds.getMinX()));
    int x1 = Math.min(width - 1, (int) Math.ceil(bounds.getMaxX()));
    int y0 = Math.max(0, (int) Math.floor(bounds.getMinY()));
    int y1 = Math.min(height - 1, (int) Math.ceil(bounds.getMaxY()));
    boolean rectangular = shape instanceof Rectangle2D;
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        double cx = x + 0.5;
        double cy = y + 0.5;
        boolean inside = rectangular ? bounds.contains(cx, cy) : shape.contains(cx, cy);
        if (inside && (mask == null || mask.covers(x, y))) {
          int i = y * width + x;
          rgb[i] = shader.rgb(x, y);
          labels[i] = (byte) label;
        }
      }
    }
  }

  /** Scales the colour of the pixels inside {@code shape} without touching their labels. */
  void shade(Shape shape, double factor) {
    Rectangle2D bounds = shape.getBounds2D();
    int x0 = Math.max(0, (int) Math.floor(bounds.getMinX()));
    int x1 = Math.min(width - 1, (int) Math.ceil(bounds.getMaxX()));
    int y0 = Math.max(0, (int) Math.floor(bounds.getMinY()));
    int y1 = Math.min(height - 1, (int) Math.ceil(bounds.getMaxY()));
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        if (shape.contains(x + 0.5, y + 0.5)) {
          int i = y * width + x;
          rgb[i] = Colors.scale(rgb[i], factor);
        }
      }
    }
  }
}
