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

class DiceLossTest {
  // Over the labelled pixels 0, 1, 3, 4 (smooth 1):
  // class a: intersection 0.5 + 0.25, probabilities 1.75, truth 2: D = 2.5 / 4.75 = 10/19;
  // class b: intersection 0.5 + 0.125, probabilities 1.125, truth 2: D = 2.25 / 4.125 = 6/11;
  // class c labels nothing: intersection 0, probabilities 1.125: D = 1 / 2.125 = 8/17.
  private static final double A = 10.0 / 19;
  private static final double B = 6.0 / 11;
  private static final double C = 8.0 / 17;

  private static Loss dice(String overrides) {
    return DiceLoss.create(options("dice", overrides), LossFixtures.softmax());
  }

  @Test
  void valueAveragesThePresentClasses() {
    assertEquals(1 - (A + B) / 2, LossFixtures.value(dice(""), LossFixtures.logits()), 1e-6);
  }

  @Test
  void allClassesIncludesTheAbsentOne() {
    assertEquals(1 - (A + B + C) / 3, LossFixtures.value(dice("classes = all"), LossFixtures.logits()), 1e-6);
  }

  @Test
  void classWeightsWeighTheMean() {
    assertEquals(1 - (A + 3 * B) / 4, LossFixtures.value(dice("class-weights = [1, 3, 5]"), LossFixtures.logits()), 1e-6);
  }

  @Test
  void withoutSmoothingItIsTheSoftDiceCoefficient() {
    // a: 1.5 / 3.75; b: 1.25 / 3.125; both 0.4.
    assertEquals(0.6, LossFixtures.value(dice("smooth = 0"), LossFixtures.logits()), 1e-6);
  }

  @Test
  void binaryModelScoresBackgroundAndForeground() {
    // Labelled: background p_fg 0.25; foreground p_fg 0.8, 0.5, 0.9.
    double background = (2 * 0.75 + 1) / (0.75 + 0.2 + 0.5 + 0.1 + 1 + 1);
    double foreground = (2 * 2.2 + 1) / (2.45 + 3 + 1);
    Loss both = DiceLoss.create(options("dice", ""), LossFixtures.binary());
    assertEquals(1 - (background + foreground) / 2, LossFixtures.binaryValue(both, LossFixtures.binaryLogits()), 1e-6);
    Loss foregroundOnly = DiceLoss.create(options("dice", "class-weights = [0, 1]"), LossFixtures.binary());
    assertEquals(1 - foreground, LossFixtures.binaryValue(foregroundOnly, LossFixtures.binaryLogits()), 1e-6);
  }

  @Test
  void nothingLabelledGivesZero() {
    byte[] none = {(byte) 255, (byte) 255, 3, 3, (byte) 255, (byte) 255};
    double v =
        io.pixelwise.api.testing.GradientCheck.value(
            LossFixtures.LOGITS, LossFixtures.logits(),
            (tf, x) -> LossFixtures.build(tf, dice(""), x, none, LossFixtures.THREE));
    assertEquals(0.0, v, 0.0);
  }

  @Test
  void badOptionsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dice("classes = some"));
    assertTrue(e.getMessage().startsWith("losses.dice.classes = \"some\""), e.getMessage());
    assertTrue(e.getMessage().endsWith("expected one of present, all"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> dice("smooth = -1"));
    assertTrue(e.getMessage().startsWith("losses.dice.smooth = -1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> dice("class-weights = [1, 1, 1, 1]"));
    assertTrue(e.getMessage().contains("4 weight(s) for 3 classes"), e.getMessage());
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    float[] logits = LossFixtures.randomLogits(LossFixtures.LOGITS, 9);
    for (String o : List.of("", "classes = all, class-weights = [1, 2, 0.5], smooth = 0.1")) {
      GradientCheck.Result r = LossFixtures.gradient(dice(o), logits);
      assertTrue(r.maxAbsError() < 2e-3, o + ": max abs error " + r.maxAbsError());
      assertNoGradientAtUnlabelledPixels(r.analytic(), 3);
      assertTrue(Math.abs(r.analytic()[0]) > 1e-3, "labelled pixels get a gradient");
    }
    Loss binary = DiceLoss.create(options("dice", ""), LossFixtures.binary());
    GradientCheck.Result r = LossFixtures.binaryGradient(binary, LossFixtures.randomLogits(LossFixtures.BINARY_LOGITS, 10));
    assertTrue(r.maxAbsError() < 2e-3, "binary: max abs error " + r.maxAbsError());
    assertNoGradientAtUnlabelledPixels(r.analytic(), 1);
  }

  @Test
  void aFewTrainingStepsLowerIt() {
    List<Float> softmax = LossFixtures.train(dice(""), false, 15, 4f);
    assertTrue(softmax.get(15) < 0.7 * softmax.get(0), "softmax: " + softmax);
    List<Float> binary = LossFixtures.train(DiceLoss.create(options("dice", ""), LossFixtures.binary()), true, 15, 4f);
    assertTrue(binary.get(15) < 0.7 * binary.get(0), "binary: " + binary);
  }
}
