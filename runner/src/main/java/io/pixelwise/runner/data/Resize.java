package io.pixelwise.runner.data;

import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.data.RasterImage;

/**
 * Resizing images on the host, for samples whose size differs from the model's input (labels:
 * {@link LabelMap#resized}, nearest neighbour): bilinear interpolation with half-pixel centres, or a
 * box (area) average when shrinking by 2x or more, where bilinear would alias.
 * Written by hand because java.awt's scaling works on BufferedImages (an extra copy each way) and
 * has no area mode for 8-bit interleaved buffers.
 */
public final class Resize {
  private Resize() {}

  public static RasterImage image(RasterImage src, int width, int height) {
    if (src.width() == width && src.height() == height) {
      return src;
    }
    byte[] out = new byte[width * height * src.channels()];
    if (src.width() >= 2 * width && src.height() >= 2 * height) {
      area(src, width, height, out);
    } else {
      bilinear(src, width, height, out);
    }
    return new RasterImage(width, height, src.channels(), out);
  }


  private static void bilinear(RasterImage src, int width, int height, byte[] out) {
    int c = src.channels();
    int sw = src.width();
    int sh = src.height();
    byte[] in = src.pixels();
    double sx = (double) sw / width;
    double sy = (double) sh / height;
    for (int y = 0; y < height; y++) {
      double fy = Math.max(0, Math.min(sh - 1, (y + 0.5) * sy - 0.5));
      int y0 = (int) fy;
      int y1 = Math.min(sh - 1, y0 + 1);
      double wy = fy - y0;
      for (int x = 0; x < width; x++) {
        double fx = Math.max(0, Math.min(sw - 1, (x + 0.5) * sx - 0.5));
        int x0 = (int) fx;
        int x1 = Math.min(sw - 1, x0 + 1);
        double wx = fx - x0;
        for (int k = 0; k < c; k++) {
          double top = (in[(y0 * sw + x0) * c + k] & 0xff) * (1 - wx) + (in[(y0 * sw + x1) * c + k] & 0xff) * wx;
          double bot = (in[(y1 * sw + x0) * c + k] & 0xff) * (1 - wx) + (in[(y1 * sw + x1) * c + k] & 0xff) * wx;
          out[(y * width + x) * c + k] = (byte) Math.round(top * (1 - wy) + bot * wy);
        }
      }
    }
  }

  private static void area(RasterImage src, int width, int height, byte[] out) {
    int c = src.channels();
    int sw = src.width();
    byte[] in = src.pixels();
    for (int y = 0; y < height; y++) {
      int ya = y * src.height() / height;
      int yb = Math.max(ya + 1, (y + 1) * src.height() / height);
      for (int x = 0; x < width; x++) {
        int xa = x * sw / width;
        int xb = Math.max(xa + 1, (x + 1) * sw / width);
        int n = (yb - ya) * (xb - xa);
        for (int k = 0; k < c; k++) {
          int sum = 0;
          for (int yy = ya; yy < yb; yy++) {
            for (int xx = xa; xx < xb; xx++) {
              sum += in[(yy * sw + xx) * c + k] & 0xff;
            }
          }
          out[(y * width + x) * c + k] = (byte) ((sum + n / 2) / n);
        }
      }
    }
  }
}
