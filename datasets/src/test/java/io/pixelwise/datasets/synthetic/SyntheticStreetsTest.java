package io.pixelwise.datasets.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.data.DatasetContext;
import io.pixelwise.api.data.ImageReader;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.data.Split;
import io.pixelwise.datasets.StreetClasses;
import io.pixelwise.imaging.ImageDecoding;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;

class SyntheticStreetsTest {
  /** Reads the files as the runner does (default data.max-image-pixels and data.libdeflate). */
  private static final ImageReader IMAGES = new ImageDecoding();
  private static final InputSize SIZE = new InputSize(64, 128);
  private static final int CLASSES = StreetClasses.SEVEN.size();

  private static SyntheticStreets dataset(long seed) {
    return new SyntheticStreets(Map.of(Split.TRAIN, 120, Split.VAL, 40, Split.TEST, 5), seed, SIZE);
  }

  @Test
  void scenesArePureFunctionsOfSeedSplitAndIndex() throws IOException {
    Sample a = dataset(7).split(Split.TRAIN).load(3);
    Sample b = dataset(7).split(Split.TRAIN).load(3);
    assertArrayEquals(a.image().pixels(), b.image().pixels());
    assertArrayEquals(a.labels().ids(), b.labels().ids());
    assertEquals("train-00003", a.id());

    assertFalse(Arrays.equals(a.image().pixels(), dataset(8).split(Split.TRAIN).load(3).image().pixels()));
    assertFalse(Arrays.equals(a.image().pixels(), dataset(7).split(Split.TRAIN).load(4).image().pixels()));
    assertFalse(Arrays.equals(a.image().pixels(), dataset(7).split(Split.VAL).load(3).image().pixels()));
  }

  @Test
  void rendersAtTheInputSizeWithValidLabels() throws IOException {
    Sample s = dataset(7).split(Split.VAL).load(0);
    assertEquals(128, s.image().width());
    assertEquals(64, s.image().height());
    assertEquals(3, s.image().channels());
    for (byte id : s.labels().ids()) {
      int v = id & 0xff;
      assertTrue(v < CLASSES || v == StreetClasses.IGNORE, "label " + v);
    }
  }

  @Test
  void everyClassAndTheIgnoreLabelOccur() throws IOException {
    long[] counts = histogram(dataset(7).split(Split.TRAIN), 60);
    for (int c = 0; c < CLASSES; c++) {
      assertTrue(counts[c] > 0, StreetClasses.SEVEN.name(c) + " never occurs");
    }
    assertTrue(counts[StreetClasses.IGNORE] > 0, "no ignore pixels (ego vehicle)");
  }

  @Test
  void predictingTheMajorityClassScoresFarBelowTheDemoTarget() throws IOException {
    long[] counts = histogram(dataset(7).split(Split.TRAIN), 120);
    int majority = 0;
    for (int c = 1; c < CLASSES; c++) {
      majority = counts[c] > counts[majority] ? c : majority;
    }
    int predicted = majority;
    double miou = meanIou(dataset(7).split(Split.VAL), (rgb, truth) -> predicted);
    assertTrue(miou < 0.25, "majority-class mIoU " + miou);
  }

  /**
   * Classifying each pixel by its colour alone (nearest class-mean colour, fitted on the training
   * split) must fall well short: shape and context have to be learned.
   */
  @Test
  void colourAloneDoesNotSolveTheScenes() throws IOException {
    SampleSource train = dataset(7).split(Split.TRAIN);
    double[][] sums = new double[CLASSES][3];
    long[] counts = new long[CLASSES];
    for (int i = 0; i < train.size(); i++) {
      Sample s = train.load(i);
      byte[] px = s.image().pixels();
      byte[] ids = s.labels().ids();
      for (int p = 0; p < ids.length; p++) {
        int c = ids[p] & 0xff;
        if (c < CLASSES) {
          counts[c]++;
          for (int ch = 0; ch < 3; ch++) {
            sums[c][ch] += px[3 * p + ch] & 0xff;
          }
        }
      }
    }
    double[][] means = new double[CLASSES][3];
    for (int c = 0; c < CLASSES; c++) {
      for (int ch = 0; ch < 3; ch++) {
        means[c][ch] = sums[c][ch] / counts[c];
      }
    }
    double miou =
        meanIou(
            dataset(7).split(Split.VAL),
            (rgb, truth) -> {
              int best = 0;
              double bestDistance = Double.MAX_VALUE;
              for (int c = 0; c < CLASSES; c++) {
                double d = 0;
                for (int ch = 0; ch < 3; ch++) {
                  double diff = (rgb >> (16 - 8 * ch) & 0xff) - means[c][ch];
                  d += diff * diff;
                }
                if (d < bestDistance) {
                  bestDistance = d;
                  best = c;
                }
              }
              return best;
            });
    assertTrue(miou < 0.4, "nearest-colour mIoU " + miou);
  }

  @Test
  void optionsComeFromConfigAndAreChecked() {
    var options = ConfigFactory.parseString("train-size = 3, val-size = 2, test-size = 0, seed = 1");
    SyntheticStreets ds = SyntheticStreets.fromConfig(new DatasetContext(options, SIZE, IMAGES));
    assertEquals(3, ds.split(Split.TRAIN).size());
    assertEquals(0, ds.split(Split.TEST).size());
    assertThrows(IndexOutOfBoundsException.class, () -> ds.split(Split.VAL).load(2));

    var negative = ConfigFactory.parseString("train-size = -1, val-size = 2, test-size = 0, seed = 1");
    var error = assertThrows(IllegalArgumentException.class, () -> SyntheticStreets.fromConfig(new DatasetContext(negative, SIZE, IMAGES)));
    assertTrue(error.getMessage().contains("train-size"), error.getMessage());
  }

  private static long[] histogram(SampleSource source, int samples) throws IOException {
    long[] counts = new long[256];
    for (int i = 0; i < samples; i++) {
      for (byte id : source.load(i).labels().ids()) {
        counts[id & 0xff]++;
      }
    }
    return counts;
  }

  /** mIoU of a per-pixel classifier {@code (rgb, truth) -> class} over classes present in either. */
  private static double meanIou(SampleSource source, IntBinaryOperator classifier) throws IOException {
    long[] intersection = new long[CLASSES];
    long[] union = new long[CLASSES];
    for (int i = 0; i < source.size(); i++) {
      Sample s = source.load(i);
      byte[] px = s.image().pixels();
      byte[] ids = s.labels().ids();
      for (int p = 0; p < ids.length; p++) {
        int truth = ids[p] & 0xff;
        if (truth >= CLASSES) {
          continue;
        }
        int rgb = (px[3 * p] & 0xff) << 16 | (px[3 * p + 1] & 0xff) << 8 | (px[3 * p + 2] & 0xff);
        int predicted = classifier.applyAsInt(rgb, truth);
        if (predicted == truth) {
          intersection[truth]++;
          union[truth]++;
        } else {
          union[truth]++;
          union[predicted]++;
        }
      }
    }
    double sum = 0;
    int present = 0;
    for (int c = 0; c < CLASSES; c++) {
      if (union[c] > 0) {
        sum += intersection[c] / (double) union[c];
        present++;
      }
    }
    System.out.printf("mIoU %.3f over %d classes%n", sum / present, present);
    return sum / present;
  }
}
