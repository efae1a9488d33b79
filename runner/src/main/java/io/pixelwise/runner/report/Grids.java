package io.pixelwise.runner.report;

import java.awt.image.BufferedImage;

/**
 * Tiles of filters and activation maps (seed 003's views of what a layer learned and sees), each
 * tile contrast-stretched to its own range so that weak channels stay visible.
 */
public final class Grids {
  private static final int GAP = 2;

  private Grids() {}

  /**
   * The filters of a conv kernel [kh, kw, in, out]: one tile per output channel, in colour when the
   * layer reads RGB (3 inputs), else the mean over inputs in grey; tiles scaled up to ~24 px.
   */
  public static BufferedImage filters(float[] kernel, int kh, int kw, int in, int out) {
    int scale = Math.max(1, 24 / Math.max(kh, kw));
    int[][] tiles = new int[out][];
    for (int o = 0; o < out; o++) {
      float[] tile = new float[kh * kw * 3];
      for (int y = 0; y < kh; y++) {
        for (int x = 0; x < kw; x++) {
          for (int ch = 0; ch < 3; ch++) {
            double v = 0;
            if (in == 3) {
              v = kernel[((y * kw + x) * in + ch) * out + o];
            } else {
              for (int i = 0; i < in; i++) {
                v += kernel[((y * kw + x) * in + i) * out + o];
              }
              v /= in;
            }
            tile[(y * kw + x) * 3 + ch] = (float) v;
          }
        }
      }
      tiles[o] = stretch(tile, kh * kw, 3);
    }
    return grid(tiles, kw, kh, scale);
  }

  /** The channels of one image's activation map [h, w, c], one grey tile per channel. */
  public static BufferedImage activations(float[] values, int h, int w, int c, int maxChannels) {
    int n = Math.min(c, maxChannels);
    int scale = Math.max(1, 96 / Math.max(h, w));
    int[][] tiles = new int[n][];
    for (int ch = 0; ch < n; ch++) {
      float[] tile = new float[h * w * 3];
      for (int p = 0; p < h * w; p++) {
        float v = values[p * c + ch];
        tile[3 * p] = v;
        tile[3 * p + 1] = v;
        tile[3 * p + 2] = v;
      }
      tiles[ch] = stretch(tile, h * w, 3);
    }
    return grid(tiles, w, h, scale);
  }

  private static int[] stretch(float[] rgb, int pixels, int channels) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float v : rgb) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    float range = max > min ? max - min : 1;
    int[] out = new int[pixels];
    for (int p = 0; p < pixels; p++) {
      int r = Math.round((rgb[channels * p] - min) / range * 255);
      int g = Math.round((rgb[channels * p + 1] - min) / range * 255);
      int b = Math.round((rgb[channels * p + 2] - min) / range * 255);
      out[p] = r << 16 | g << 8 | b;
    }
    return out;
  }

  private static BufferedImage grid(int[][] tiles, int w, int h, int scale) {
    int columns = (int) Math.ceil(Math.sqrt(tiles.length));
    int rows = (tiles.length + columns - 1) / columns;
    int tw = w * scale;
    int th = h * scale;
    BufferedImage image =
        new BufferedImage(columns * (tw + GAP) + GAP, rows * (th + GAP) + GAP, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        image.setRGB(x, y, 0xffffff);
      }
    }
    for (int t = 0; t < tiles.length; t++) {
      int ox = GAP + (t % columns) * (tw + GAP);
      int oy = GAP + (t / columns) * (th + GAP);
      for (int y = 0; y < th; y++) {
        for (int x = 0; x < tw; x++) {
          image.setRGB(ox + x, oy + y, tiles[t][(y / scale) * w + x / scale]);
        }
      }
    }
    return image;
  }
}
