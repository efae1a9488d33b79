package io.pixelwise.api.data;

import java.util.Arrays;

/**
 * How often each class occurs in a set of label maps (usually the train split), and the class
 * weights derived from it. Ignore pixels (and any id outside the label set) are not counted.
 *
 * <p>Two counts per class: its pixels, and the labelled pixels of the images in which it occurs
 * at all. The second is what median-frequency balancing divides by, so that a class that is
 * large where it occurs but occurs rarely is not mistaken for a small one.
 */
public final class ClassFrequencies {
  private final long[] pixels;
  private final long[] imagePixels;
  private final int images;

  /**
   * @param pixels per class, its pixels
   * @param imagePixels per class, the labelled pixels of the images that contain it
   * @param images how many label maps were counted
   */
  public ClassFrequencies(long[] pixels, long[] imagePixels, int images) {
    if (pixels.length == 0 || pixels.length != imagePixels.length) {
      throw new IllegalArgumentException(
          "need one pixel count and one image-pixel count per class, got " + pixels.length + " and "
              + imagePixels.length);
    }
    for (int c = 0; c < pixels.length; c++) {
      if (pixels[c] < 0 || imagePixels[c] < pixels[c]) {
        throw new IllegalArgumentException(
            "class " + c + ": " + pixels[c] + " pixels in images of " + imagePixels[c]
                + " labelled pixels is impossible");
      }
    }
    this.pixels = pixels.clone();
    this.imagePixels = imagePixels.clone();
    this.images = images;
  }

  /** Counts label maps one by one; safe to share between threads. */
  public static final class Counter {
    private final int classes;
    private final long[] pixels;
    private final long[] imagePixels;
    private int images;

    public Counter(int classes) {
      this.classes = classes;
      this.pixels = new long[classes];
      this.imagePixels = new long[classes];
    }

    public void add(LabelMap labels) {
      long[] own = new long[classes];
      long labelled = 0;
      for (byte b : labels.ids()) {
        int id = b & 0xff;
        if (id < classes) {
          own[id]++;
          labelled++;
        }
      }
      synchronized (this) {
        for (int c = 0; c < classes; c++) {
          pixels[c] += own[c];
          if (own[c] > 0) {
            imagePixels[c] += labelled;
          }
        }
        images++;
      }
    }

    public synchronized ClassFrequencies result() {
      return new ClassFrequencies(pixels, imagePixels, images);
    }
  }

  public int size() {
    return pixels.length;
  }

  public int images() {
    return images;
  }

  public long pixels(int c) {
    return pixels[c];
  }

  public long imagePixels(int c) {
    return imagePixels[c];
  }

  public long labelledPixels() {
    return Arrays.stream(pixels).sum();
  }

  /** The share of all labelled pixels that belong to class {@code c}; 0 when nothing is labelled. */
  public double frequency(int c) {
    long total = labelledPixels();
    return total == 0 ? 0 : (double) pixels[c] / total;
  }

  /**
   * Inverse-frequency weights {@code w_c = 1 / (K f_c)} over the K classes that occur, scaled so
   * that the average weight of a labelled pixel is 1 (the loss keeps its scale). Classes that
   * never occur get 1: they cannot be balanced against anything.
   */
  public double[] inverseFrequencyWeights() {
    int present = (int) Arrays.stream(pixels).filter(p -> p > 0).count();
    double[] w = new double[pixels.length];
    for (int c = 0; c < w.length; c++) {
      w[c] = pixels[c] > 0 ? 1.0 / (present * frequency(c)) : 1.0;
    }
    return w;
  }

  /**
   * Median-frequency balancing (Eigen and Fergus, 2015): {@code w_c = median(freq) / freq_c}
   * with {@code freq_c} = pixels of class c / labelled pixels of the images containing c, the
   * median taken over the classes that occur. Classes that never occur get 1.
   */
  public double[] medianFrequencyWeights() {
    double[] freq = new double[pixels.length];
    double[] present =
        java.util.stream.IntStream.range(0, pixels.length)
            .filter(c -> pixels[c] > 0)
            .mapToDouble(c -> (double) pixels[c] / imagePixels[c])
            .sorted()
            .toArray();
    for (int c = 0; c < freq.length; c++) {
      freq[c] = pixels[c] > 0 ? (double) pixels[c] / imagePixels[c] : 0;
    }
    double median =
        present.length == 0
            ? 1
            : present.length % 2 == 1
                ? present[present.length / 2]
                : (present[present.length / 2 - 1] + present[present.length / 2]) / 2;
    double[] w = new double[pixels.length];
    for (int c = 0; c < w.length; c++) {
      w[c] = pixels[c] > 0 ? median / freq[c] : 1.0;
    }
    return w;
  }
}
