package io.pixelwise.engine.input;

import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.data.RasterImage;
import io.pixelwise.imaging.ImageDecoding;
import java.util.SplittableRandom;

/**
 * Random scale-and-crop and photometric jitter of training samples, applied to image and labels
 * alike, after the sample is resized to the input size. Every draw comes from a per-sample seed,
 * so an epoch's augmentations are reproducible.
 *
 * @param minScale smallest zoom; below 1 the image shrinks and the border is padded (labels: ignore)
 * @param maxScale largest zoom; above 1 a random window of the input size is cropped
 * @param brightness factor drawn from [1 - b, 1 + b]
 * @param contrast factor drawn from [1 - c, 1 + c], around the image's mean intensity
 * @param saturation factor drawn from [1 - s, 1 + s] (RGB only), blending with the grey image
 */
public record Augmentation(
    double minScale, double maxScale, double brightness, double contrast, double saturation, int ignoreId) {

  public static final Augmentation NONE = new Augmentation(1, 1, 0, 0, 0, 255);

  public Augmentation {
    if (!(minScale > 0) || maxScale < minScale) {
      throw new IllegalArgumentException(
          "data.augment.scale: expected [min, max] with 0 < min <= max, got [" + minScale + ", " + maxScale + "]");
    }
    for (double v : new double[] {brightness, contrast, saturation}) {
      if (!(v >= 0 && v < 1)) {
        throw new IllegalArgumentException(
            "data.augment brightness, contrast and saturation must be in [0, 1), got " + v);
      }
    }
  }

  /** This augmentation, padding labels with {@code id}. */
  public Augmentation withIgnoreId(int id) {
    return new Augmentation(minScale, maxScale, brightness, contrast, saturation, id);
  }

  public boolean isNone() {
    return minScale == 1 && maxScale == 1 && brightness == 0 && contrast == 0 && saturation == 0;
  }

  /** A sample after augmentation; same size as the input. */
  public record Result(RasterImage image, LabelMap labels) {}

  public Result apply(RasterImage image, LabelMap labels, long seed) {
    if (isNone()) {
      return new Result(image, labels);
    }
    SplittableRandom random = new SplittableRandom(seed);
    double scale = minScale == maxScale ? minScale : random.nextDouble(minScale, maxScale);
    RasterImage outImage = image;
    LabelMap outLabels = labels;
    int w = image.width();
    int h = image.height();
    int sw = Math.max(1, (int) Math.round(w * scale));
    int sh = Math.max(1, (int) Math.round(h * scale));
    if (sw != w || sh != h) {
      RasterImage scaled = ImageDecoding.resize(image, sw, sh);
      LabelMap scaledLabels = labels == null ? null : labels.resized(sw, sh);
      // Offset of the scaled picture inside the output window (negative: cropped).
      int dx = sw >= w ? -random.nextInt(sw - w + 1) : random.nextInt(w - sw + 1);
      int dy = sh >= h ? -random.nextInt(sh - h + 1) : random.nextInt(h - sh + 1);
      outImage = place(scaled, w, h, dx, dy);
      outLabels = scaledLabels == null ? null : placeLabels(scaledLabels, w, h, dx, dy, ignoreId);
    }
    if (brightness > 0 || contrast > 0 || saturation > 0) {
      double b = 1 + (brightness > 0 ? random.nextDouble(-brightness, brightness) : 0);
      double c = 1 + (contrast > 0 ? random.nextDouble(-contrast, contrast) : 0);
      double s = 1 + (saturation > 0 ? random.nextDouble(-saturation, saturation) : 0);
      outImage = photometric(outImage, b, c, s);
    }
    return new Result(outImage, outLabels);
  }

  private static RasterImage place(RasterImage src, int w, int h, int dx, int dy) {
    byte[] out = place(src.pixels(), src.width(), src.height(), src.channels(), w, h, dx, dy, (byte) 0);
    return new RasterImage(w, h, src.channels(), out);
  }

  private static LabelMap placeLabels(LabelMap src, int w, int h, int dx, int dy, int ignoreId) {
    return new LabelMap(w, h, place(src.ids(), src.width(), src.height(), 1, w, h, dx, dy, (byte) ignoreId));
  }

  /** {@code src} (sw x sh, c bytes a pixel) at offset (dx, dy) in a w x h frame filled with {@code fill}. */
  private static byte[] place(byte[] src, int sw, int sh, int c, int w, int h, int dx, int dy, byte fill) {
    byte[] out = new byte[w * h * c];
    java.util.Arrays.fill(out, fill);
    int x0 = Math.max(0, dx);
    int x1 = Math.min(w, dx + sw);
    for (int y = 0; y < h; y++) {
      int sy = y - dy;
      if (sy >= 0 && sy < sh && x1 > x0) {
        System.arraycopy(src, (sy * sw + (x0 - dx)) * c, out, (y * w + x0) * c, (x1 - x0) * c);
      }
    }
    return out;
  }

  private static RasterImage photometric(RasterImage src, double brightness, double contrast, double saturation) {
    byte[] p = src.pixels();
    int c = src.channels();
    int n = src.width() * src.height();
    double mean = 0;
    for (int i = 0; i < n; i++) {
      mean += grey(p, i, c);
    }
    mean /= n;
    byte[] out = new byte[p.length];
    for (int i = 0; i < n; i++) {
      double g = grey(p, i, c);
      for (int k = 0; k < c; k++) {
        double v = p[i * c + k] & 0xff;
        if (c == 3) {
          v = g + (v - g) * saturation;
        }
        v = mean + (v - mean) * contrast;
        v *= brightness;
        out[i * c + k] = (byte) Math.max(0, Math.min(255, Math.round(v)));
      }
    }
    return new RasterImage(src.width(), src.height(), c, out);
  }

  private static double grey(byte[] p, int i, int c) {
    if (c == 1) {
      return p[i] & 0xff;
    }
    return 0.299 * (p[3 * i] & 0xff) + 0.587 * (p[3 * i + 1] & 0xff) + 0.114 * (p[3 * i + 2] & 0xff);
  }
}
