package io.pixelwise.datasets.folder;

import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.data.RasterImage;
import java.util.Arrays;

/**
 * Pads an image (and its labels alike) up to a size, centred, with the extra pixel of an odd
 * amount after (101 to 128 pads 14 before and 13 after), in NumPy's {@code np.pad} modes: a
 * U-Net without padding in its convolutions wants its input larger than its output, and small
 * images are better padded than stretched.
 */
enum Padding {
  /** No padding: the input pipeline resizes. */
  NONE,
  /** A constant image value; the padded labels are ignored, as they show nothing. */
  CONSTANT,
  /** Mirrored without repeating the edge: 3 2 | 1 2 3 | 2 1. */
  REFLECT,
  /** Mirrored with the edge: 2 1 | 1 2 3 | 3 2. */
  SYMMETRIC,
  /** Tiled: 2 3 | 1 2 3 | 1 2. */
  WRAP;

  /**
   * The source index of position {@code i} (relative to the original's first pixel, so negative
   * before it) along an axis of {@code n} pixels; -1 where a constant fills it. Pads wider than
   * the image repeat the pattern, as NumPy does.
   */
  int source(int i, int n) {
    if (i >= 0 && i < n) {
      return i;
    }
    return switch (this) {
      case NONE, CONSTANT -> -1;
      case WRAP -> Math.floorMod(i, n);
      case SYMMETRIC -> {
        int m = Math.floorMod(i, 2 * n);
        yield m < n ? m : 2 * n - 1 - m;
      }
      case REFLECT -> {
        if (n == 1) {
          yield 0;
        }
        int period = 2 * (n - 1);
        int m = Math.floorMod(i, period);
        yield m < n ? m : period - m;
      }
    };
  }

  /** The padding before the original along an axis padded from {@code n} to {@code target}. */
  static int before(int n, int target) {
    return target > n ? (target - n + 1) / 2 : 0;
  }

  /** The image padded to at least {@code height} x {@code width}; larger sides stay as they are. */
  RasterImage pad(RasterImage image, int height, int width, int constant) {
    int w = image.width();
    int h = image.height();
    int c = image.channels();
    int outW = Math.max(w, width);
    int outH = Math.max(h, height);
    if (this == NONE || (outW == w && outH == h)) {
      return image;
    }
    int top = before(h, height);
    int left = before(w, width);
    byte[] src = image.pixels();
    byte[] out = new byte[outW * outH * c];
    for (int y = 0; y < outH; y++) {
      int sy = source(y - top, h);
      for (int x = 0; x < outW; x++) {
        int sx = source(x - left, w);
        int o = (y * outW + x) * c;
        if (sy < 0 || sx < 0) {
          Arrays.fill(out, o, o + c, (byte) constant);
        } else {
          System.arraycopy(src, (sy * w + sx) * c, out, o, c);
        }
      }
    }
    return new RasterImage(outW, outH, c, out);
  }

  /** The labels padded like their image; a constant pad is {@code ignoreId}. */
  LabelMap pad(LabelMap labels, int height, int width, int ignoreId) {
    RasterImage asImage = new RasterImage(labels.width(), labels.height(), 1, labels.ids());
    RasterImage padded = pad(asImage, height, width, ignoreId);
    return padded == asImage ? labels : new LabelMap(padded.width(), padded.height(), padded.pixels());
  }
}
