package io.pixelwise.losses;

import static io.pixelwise.losses.LossFixtures.assertNoGradientAtUnlabelledPixels;
import static io.pixelwise.losses.LossFixtures.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.data.ClassFrequencies;
import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.loss.Loss;
import io.pixelwise.api.testing.GradientCheck;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CrossEntropyLossTest {
  private static final double LN2 = Math.log(2);

  private static Loss ce(String overrides) {
    return CrossEntropyLoss.create(options("cross-entropy", overrides), LossFixtures.softmax());
  }

  @Test
  void valueIsTheMeanOverLabelledPixelsOnly() {
    // True-class probabilities of the labelled pixels 0, 1, 3, 4: 1/2, 1/2, 1/8, 1/4.
    assertEquals(7 * LN2 / 4, LossFixtures.value(ce(""), LossFixtures.logits()), 1e-5);
  }

  @Test
  void classWeightsGiveAWeightedMean() {
    // Labels 0, 1, 1, 0 weigh 1, 3, 3, 1; the absent class's weight plays no part.
    double expected = (1 * LN2 + 3 * LN2 + 3 * 3 * LN2 + 1 * 2 * LN2) / 8;
    assertEquals(expected, LossFixtures.value(ce("class-weights = [1, 3, 5]"), LossFixtures.logits()), 1e-5);
  }

  @Test
  void labelSmoothingMixesInTheUniformTarget() {
    // Target 0.7 * one-hot + 0.1: ce = 0.7 * -ln p_y + 0.1 * sum_c -ln p_c per pixel:
    // 1.2 ln2, 1.2 ln2, 2.7 ln2 + 0.1 ln(4/3), 1.9 ln2.
    double expected = (7.0 * LN2 + 0.1 * Math.log(4.0 / 3)) / 4;
    assertEquals(expected, LossFixtures.value(ce("label-smoothing = 0.3"), LossFixtures.logits()), 1e-5);
  }

  @Test
  void binaryModelGivesBinaryCrossEntropy() {
    Loss loss = CrossEntropyLoss.create(options("cross-entropy", ""), LossFixtures.binary());
    // Labelled pixels 0 (background, p_fg 1/4), 1 (fg, 0.8), 3 (fg, 1/2), 4 (fg, 0.9).
    double expected = (Math.log(4.0 / 3) + Math.log(1.25) + LN2 + Math.log(10.0 / 9)) / 4;
    assertEquals(expected, LossFixtures.binaryValue(loss, LossFixtures.binaryLogits()), 1e-5);
  }

  @Test
  void medianFrequencyWeightsComeFromTheTrainSplitWhenTheGraphIsBuilt() {
    ClassFrequencies.Counter counter = new ClassFrequencies.Counter(3);
    counter.add(new LabelMap(2, 2, new byte[] {0, 0, 0, 1}));
    counter.add(new LabelMap(2, 2, new byte[] {0, 0, 2, (byte) 255}));
    ClassFrequencies f = counter.result();
    AtomicInteger asked = new AtomicInteger();
    Loss loss =
        CrossEntropyLoss.create(
            options("cross-entropy", "class-balance = median-frequency"),
            LossFixtures.withFrequencies(LossFixtures.THREE, () -> {
              asked.incrementAndGet();
              return f;
            }));
    assertEquals(0, asked.get(), "frequencies are read when the graph is built, not before");
    double[] w = f.medianFrequencyWeights();
    double expected = (w[0] * LN2 + w[1] * LN2 + w[1] * 3 * LN2 + w[0] * 2 * LN2) / (2 * w[0] + 2 * w[1]);
    assertEquals(expected, LossFixtures.value(loss, LossFixtures.logits()), 1e-5);
    assertEquals(1, asked.get());
  }

  @Test
  void noFrequenciesAreCountedUnlessAsked() {
    // LossContext.of has none: asking would fail.
    assertEquals(7 * LN2 / 4, LossFixtures.value(ce("class-weights = [1, 1, 1]"), LossFixtures.logits()), 1e-5);
  }

  @Test
  void badOptionsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ce("class-weights = [1, 2]"));
    assertTrue(
        e.getMessage().startsWith("losses.cross-entropy.class-weights = [1,2] (String: 1): 2 weight(s) for 3 classes (a, b, c)"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ce("class-weights = [1, 2, 3], class-balance = inverse-frequency"));
    assertTrue(e.getMessage().contains("losses.cross-entropy.class-weights and losses.cross-entropy.class-balance"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ce("class-balance = median"));
    assertTrue(e.getMessage().endsWith("expected one of none, inverse-frequency, median-frequency"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ce("label-smoothing = 1.5"));
    assertTrue(e.getMessage().startsWith("losses.cross-entropy.label-smoothing = 1.5"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ce("class-weights = [1, -1, 1]"));
    assertTrue(e.getMessage().contains("numbers >= 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ce("class-weights = [0, 0, 0]"));
    assertTrue(e.getMessage().endsWith("all weights are 0, so no pixel would count"), e.getMessage());
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    float[] logits = LossFixtures.randomLogits(LossFixtures.LOGITS, 5);
    for (String o : List.of("", "class-weights = [0.5, 2, 1], label-smoothing = 0.1")) {
      GradientCheck.Result r = LossFixtures.gradient(ce(o), logits);
      assertTrue(r.maxAbsError() < 2e-3, o + ": max abs error " + r.maxAbsError());
      assertNoGradientAtUnlabelledPixels(r.analytic(), 3);
      assertTrue(Math.abs(r.analytic()[0]) > 1e-3, "labelled pixels get a gradient");
    }
    Loss binary = CrossEntropyLoss.create(options("cross-entropy", ""), LossFixtures.binary());
    GradientCheck.Result r = LossFixtures.binaryGradient(binary, LossFixtures.randomLogits(LossFixtures.BINARY_LOGITS, 6));
    assertTrue(r.maxAbsError() < 2e-3, "binary: max abs error " + r.maxAbsError());
    assertNoGradientAtUnlabelledPixels(r.analytic(), 1);
  }

  @Test
  void aFewTrainingStepsLowerIt() {
    List<Float> softmax = LossFixtures.train(ce("class-weights = [1, 2, 1]"), false, 15, 1f);
    assertTrue(softmax.get(15) < 0.7 * softmax.get(0), "softmax: " + softmax);
    List<Float> binary =
        LossFixtures.train(CrossEntropyLoss.create(options("cross-entropy", ""), LossFixtures.binary()), true, 15, 1f);
    assertTrue(binary.get(15) < 0.7 * binary.get(0), "binary: " + binary);
  }
}
