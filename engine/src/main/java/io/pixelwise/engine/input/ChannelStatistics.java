package io.pixelwise.engine.input;

import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.RasterImage;
import io.pixelwise.api.data.SampleSource;
import java.io.IOException;

/** Per-channel mean and standard deviation of a split's images, as the model will see them. */
public final class ChannelStatistics {
  private ChannelStatistics() {}

  /**
   * Statistics over at most {@code images} samples, evenly spaced through the split (so the
   * result is deterministic), each converted and resized exactly as the input pipeline does.
   *
   * @return {@code {mean[], std[]}} in 0..255 units; a std below 1 is raised to 1 (flat images)
   */
  public static double[][] of(SampleSource source, InputSize size, int channels, int images) throws IOException {
    int n = Math.min(Math.max(1, images), source.size());
    if (n == 0 || source.size() == 0) {
      throw new IOException("the train split is empty");
    }
    double[] sum = new double[channels];
    double[] squares = new double[channels];
    long pixels = 0;
    for (int k = 0; k < n; k++) {
      int index = (int) ((long) k * source.size() / n);
      RasterImage image = SampleCache.loadResized(source, index, size, channels).image();
      byte[] p = image.pixels();
      for (int i = 0; i < p.length; i++) {
        double v = p[i] & 0xff;
        sum[i % channels] += v;
        squares[i % channels] += v * v;
      }
      pixels += (long) image.width() * image.height();
    }
    double[] mean = new double[channels];
    double[] std = new double[channels];
    for (int ch = 0; ch < channels; ch++) {
      mean[ch] = sum[ch] / pixels;
      std[ch] = Math.max(1, Math.sqrt(Math.max(0, squares[ch] / pixels - mean[ch] * mean[ch])));
    }
    return new double[][] {mean, std};
  }
}
