package io.pixelwise.api.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ClassFrequenciesTest {

  /**
   * Two 2x2 images, 3 classes, 255 = ignore. Image A: 0 0 1 255 (3 labelled); image B: 0 0 0 0.
   * Class 2 never occurs.
   */
  private static ClassFrequencies counted() {
    ClassFrequencies.Counter counter = new ClassFrequencies.Counter(3);
    counter.add(new LabelMap(2, 2, new byte[] {0, 0, 1, (byte) 255}));
    counter.add(new LabelMap(2, 2, new byte[] {0, 0, 0, 0}));
    return counter.result();
  }

  @Test
  void countsPixelsAndThePixelsOfTheImagesHoldingEachClass() {
    ClassFrequencies f = counted();
    assertEquals(2, f.images());
    assertEquals(6, f.pixels(0));
    assertEquals(1, f.pixels(1));
    assertEquals(0, f.pixels(2));
    assertEquals(7, f.labelledPixels());
    assertEquals(7, f.imagePixels(0)); // in both images: 3 + 4 labelled pixels
    assertEquals(3, f.imagePixels(1)); // only in A
    assertEquals(6.0 / 7, f.frequency(0), 1e-12);
  }

  @Test
  void inverseFrequencyKeepsTheMeanPixelWeightAtOne() {
    double[] w = counted().inverseFrequencyWeights();
    // K = 2 present classes: w = 1 / (2 f): 7/12 and 7/2; the absent class gets 1.
    assertArrayEquals(new double[] {7.0 / 12, 7.0 / 2, 1.0}, w, 1e-12);
    assertEquals(1.0, 6.0 / 7 * w[0] + 1.0 / 7 * w[1], 1e-12);
  }

  @Test
  void medianFrequencyDividesByThePixelsOfTheImagesWhereTheClassOccurs() {
    // freq_0 = 6/7, freq_1 = 1/3; median of the two = (6/7 + 1/3) / 2 = 25/42.
    double median = 25.0 / 42;
    assertArrayEquals(new double[] {median / (6.0 / 7), median * 3, 1.0}, counted().medianFrequencyWeights(), 1e-12);
  }

  @Test
  void nothingLabelledGivesNeutralWeights() {
    ClassFrequencies.Counter counter = new ClassFrequencies.Counter(2);
    counter.add(new LabelMap(1, 1, new byte[] {(byte) 255}));
    ClassFrequencies f = counter.result();
    assertEquals(0, f.frequency(0));
    assertArrayEquals(new double[] {1, 1}, f.inverseFrequencyWeights());
    assertArrayEquals(new double[] {1, 1}, f.medianFrequencyWeights());
  }
}
