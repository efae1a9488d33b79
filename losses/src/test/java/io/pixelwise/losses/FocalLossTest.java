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

class FocalLossTest {
  private static final double LN2 = Math.log(2);

  private static Loss focal(String overrides) {
    return FocalLoss.create(options("focal", overrides), LossFixtures.softmax());
  }

  @Test
  void valueDownWeightsWellClassifiedPixels() {
    // gamma 2; true-class probabilities 1/2, 1/2, 1/8, 1/4 give (1-p)^2 * -ln p =
    // 0.25 ln2, 0.25 ln2, 0.765625 * 3 ln2, 0.5625 * 2 ln2.
    double expected = (0.25 + 0.25 + 2.296875 + 1.125) * LN2 / 4;
    assertEquals(expected, LossFixtures.value(focal("gamma = 2"), LossFixtures.logits()), 1e-5);
  }

  @Test
  void alphaWeighsEachPixelByItsTrueClass() {
    // Labels 0, 1, 1, 0 take alpha 0.25, 0.75, 0.75, 0.25; the absent class's 1 plays no part.
    double expected = (0.25 * 0.25 + 0.75 * 0.25 + 0.75 * 2.296875 + 0.25 * 1.125) * LN2 / 4;
    assertEquals(expected, LossFixtures.value(focal("gamma = 2, alpha = [0.25, 0.75, 1]"), LossFixtures.logits()), 1e-5);
  }

  @Test
  void gammaZeroIsCrossEntropy() {
    assertEquals(7 * LN2 / 4, LossFixtures.value(focal("gamma = 0"), LossFixtures.logits()), 1e-5);
  }

  @Test
  void binaryModelGivesBinaryFocalLoss() {
    Loss loss = FocalLoss.create(options("focal", "gamma = 2, alpha = [0.75, 0.25]"), LossFixtures.binary());
    // Background pixel with p_bg 3/4; foreground pixels with p_fg 0.8, 1/2, 0.9.
    double expected =
        (0.75 * 0.0625 * Math.log(4.0 / 3) + 0.25 * (0.04 * Math.log(1.25) + 0.25 * LN2 + 0.01 * Math.log(10.0 / 9))) / 4;
    assertEquals(expected, LossFixtures.binaryValue(loss, LossFixtures.binaryLogits()), 1e-6);
  }

  @Test
  void badOptionsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> focal("gamma = -1"));
    assertTrue(e.getMessage().startsWith("losses.focal.gamma = -1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> focal("alpha = [0.25]"));
    assertTrue(e.getMessage().contains("losses.focal.alpha = [0.25]"), e.getMessage());
    assertTrue(e.getMessage().contains("1 weight(s) for 3 classes"), e.getMessage());
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    float[] logits = LossFixtures.randomLogits(LossFixtures.LOGITS, 7);
    for (String o : List.of("gamma = 2", "gamma = 0.5, alpha = [0.2, 0.5, 0.3]")) {
      GradientCheck.Result r = LossFixtures.gradient(focal(o), logits);
      assertTrue(r.maxAbsError() < 2e-3, o + ": max abs error " + r.maxAbsError());
      assertNoGradientAtUnlabelledPixels(r.analytic(), 3);
      assertTrue(Math.abs(r.analytic()[0]) > 1e-3, "labelled pixels get a gradient");
    }
    Loss binary = FocalLoss.create(options("focal", ""), LossFixtures.binary());
    GradientCheck.Result r = LossFixtures.binaryGradient(binary, LossFixtures.randomLogits(LossFixtures.BINARY_LOGITS, 8));
    assertTrue(r.maxAbsError() < 2e-3, "binary: max abs error " + r.maxAbsError());
    assertNoGradientAtUnlabelledPixels(r.analytic(), 1);
  }

  @Test
  void aFewTrainingStepsLowerIt() {
    List<Float> softmax = LossFixtures.train(focal(""), false, 15, 2f);
    assertTrue(softmax.get(15) < 0.7 * softmax.get(0), "softmax: " + softmax);
    List<Float> binary = LossFixtures.train(FocalLoss.create(options("focal", ""), LossFixtures.binary()), true, 15, 2f);
    assertTrue(binary.get(15) < 0.7 * binary.get(0), "binary: " + binary);
  }
}
