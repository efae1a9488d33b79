package io.pixelwise.losses;

import static io.pixelwise.losses.LossFixtures.assertNoGradientAtUnlabelledPixels;
import static io.pixelwise.losses.LossFixtures.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.loss.Loss;
import io.pixelwise.api.testing.GradientCheck;
import java.util.List;
import org.junit.jupiter.api.Test;

class OhemCrossEntropyLossTest {
  // Cross-entropy of the labelled pixels 0, 1, 3, 4: ln2, ln2, 3 ln2, 2 ln2 (true-class
  // probabilities 1/2, 1/2, 1/8, 1/4). The ignored and out-of-range pixels are never kept, even
  // though their "loss" would be high.
  private static final double LN2 = Math.log(2);

  private static Loss ohem(String overrides) {
    return OhemCrossEntropyLoss.create(options("ohem", overrides), LossFixtures.softmax());
  }

  private static double value(String overrides) {
    return LossFixtures.value(ohem(overrides), LossFixtures.logits());
  }

  @Test
  void hardestModeKeepsTheTopFractionOfLabelledPixels() {
    assertEquals(2.5 * LN2, value("keep-fraction = 0.5, min-kept = 1"), 1e-5); // 3 ln2 and 2 ln2
    assertEquals(3 * LN2, value("keep-fraction = 0.25, min-kept = 1"), 1e-5);
    assertEquals(2.5 * LN2, value("keep-fraction = 0.25, min-kept = 2"), 1e-5); // the minimum wins
    assertEquals(7 * LN2 / 4, value("keep-fraction = 0.25, min-kept = 100"), 1e-5); // all 4 labelled
  }

  @Test
  void thresholdModeKeepsPixelsBelowTheProbabilityWithAMinimumCount() {
    assertEquals(2.5 * LN2, value("mode = threshold, threshold = 0.3, min-kept = 1"), 1e-5); // 1/8 and 1/4
    assertEquals(3 * LN2, value("mode = threshold, threshold = 0.2, min-kept = 1"), 1e-5); // 1/8 only
    assertEquals(2.5 * LN2, value("mode = threshold, threshold = 0.2, min-kept = 2"), 1e-5); // topped up
  }

  @Test
  void binaryModelMinesBinaryCrossEntropy() {
    Loss loss = OhemCrossEntropyLoss.create(options("ohem", "keep-fraction = 0.5, min-kept = 1"), LossFixtures.binary());
    // Losses ln(4/3), ln(5/4), ln2, ln(10/9): the top two are ln2 and ln(4/3).
    assertEquals((LN2 + Math.log(4.0 / 3)) / 2, LossFixtures.binaryValue(loss, LossFixtures.binaryLogits()), 1e-6);
  }

  @Test
  void nothingLabelledGivesZero() {
    byte[] none = {(byte) 255, (byte) 255, 3, 3, (byte) 255, (byte) 255};
    double v =
        GradientCheck.value(
            LossFixtures.LOGITS, LossFixtures.logits(),
            (tf, x) -> LossFixtures.build(tf, ohem(""), x, none, LossFixtures.THREE));
    assertEquals(0.0, v, 0.0);
  }

  @Test
  void badOptionsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ohem("mode = top-k"));
    assertTrue(e.getMessage().startsWith("losses.ohem.mode = \"top-k\""), e.getMessage());
    assertTrue(e.getMessage().endsWith("expected one of hardest, threshold"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ohem("keep-fraction = 0"));
    assertTrue(e.getMessage().startsWith("losses.ohem.keep-fraction = 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ohem("min-kept = 0"));
    assertTrue(e.getMessage().startsWith("losses.ohem.min-kept = 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ohem("mode = threshold, threshold = 1.5"));
    assertTrue(e.getMessage().startsWith("losses.ohem.threshold = 1.5"), e.getMessage());
  }

  @Test
  void gradientMatchesFiniteDifferencesAndSkipsPixelsNotKept() {
    float[] logits = LossFixtures.randomLogits(LossFixtures.LOGITS, 14);
    GradientCheck.Result r = LossFixtures.gradient(ohem("keep-fraction = 0.5, min-kept = 1"), logits);
    assertTrue(r.maxAbsError() < 2e-3, "max abs error " + r.maxAbsError());
    assertNoGradientAtUnlabelledPixels(r.analytic(), 3);
    int withGradient = 0;
    for (int p = 0; p < 6; p++) {
      if (Math.abs(r.analytic()[p * 3]) + Math.abs(r.analytic()[p * 3 + 1]) + Math.abs(r.analytic()[p * 3 + 2]) > 0) {
        withGradient++;
      }
    }
    assertEquals(2, withGradient, "half of the 4 labelled pixels are kept");
    Loss binary = OhemCrossEntropyLoss.create(options("ohem", "mode = threshold, threshold = 0.7, min-kept = 2"), LossFixtures.binary());
    r = LossFixtures.binaryGradient(binary, LossFixtures.randomLogits(LossFixtures.BINARY_LOGITS, 15));
    assertTrue(r.maxAbsError() < 2e-3, "binary: max abs error " + r.maxAbsError());
    assertNoGradientAtUnlabelledPixels(r.analytic(), 1);
  }

  @Test
  void aFewTrainingStepsLowerIt() {
    // On separable pixels: with noisy ones the hardest quarter are pixels no linear model gets
    // right, whose loss rises as the model grows confident about the rest.
    List<Float> softmax = LossFixtures.train(ohem("min-kept = 1"), false, 15, 1f, 0.1f);
    assertTrue(softmax.get(15) < 0.7 * softmax.get(0), "softmax: " + softmax);
    Loss binary = OhemCrossEntropyLoss.create(options("ohem", "mode = threshold, min-kept = 1"), LossFixtures.binary());
    List<Float> b = LossFixtures.train(binary, true, 15, 1f, 0.1f);
    assertTrue(b.get(15) < 0.7 * b.get(0), "binary: " + b);
  }
}
