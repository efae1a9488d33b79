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

class LovaszSoftmaxLossTest {
  // Labelled pixels 0, 1, 3, 4. Errors |g - p| sorted in decreasing order, weighted by the
  // increments of 1 - |truth minus prefix| / |truth plus false prefix|:
  // class a: errors 0.75 (false), 0.75 (true), 0.5 (true), 0.25 (false); Jaccard 1/3, 2/3, 1, 1;
  //   weights 1/3, 1/3, 1/3, 0: loss 2/3 (the tie's other order gives the same value).
  // class b: errors 0.875 (true), 0.5 (true), 0.25, 0.25; Jaccard 1/2, 1, 1, 1: loss 0.6875.
  // class c labels nothing: Jaccard 1 from the first pixel on: loss = its largest error, 0.5.
  private static final double A = 2.0 / 3;
  private static final double B = 0.6875;
  private static final double C = 0.5;

  private static Loss lovasz(String overrides) {
    return LovaszSoftmaxLoss.create(options("lovasz-softmax", overrides), LossFixtures.softmax());
  }

  @Test
  void valueAveragesThePresentClasses() {
    assertEquals((A + B) / 2, LossFixtures.value(lovasz(""), LossFixtures.logits()), 1e-6);
  }

  @Test
  void allClassesIncludesTheAbsentOne() {
    assertEquals((A + B + C) / 3, LossFixtures.value(lovasz("classes = all"), LossFixtures.logits()), 1e-6);
  }

  @Test
  void binaryModelScoresBackgroundAndForeground() {
    // background: errors 0.5 (false), 0.25 (true), 0.2, 0.1; Jaccard 1/2, 1, 1, 1: loss 0.375.
    // foreground: errors 0.5 (true), 0.25 (false), 0.2 (true), 0.1 (true); Jaccard 1/3, 1/2, 3/4, 1:
    //   loss 0.5/3 + 0.25/6 + 0.2/4 + 0.1/4.
    double foreground = 0.5 / 3 + 0.25 / 6 + 0.2 / 4 + 0.1 / 4;
    Loss loss = LovaszSoftmaxLoss.create(options("lovasz-softmax", ""), LossFixtures.binary());
    assertEquals((0.375 + foreground) / 2, LossFixtures.binaryValue(loss, LossFixtures.binaryLogits()), 1e-6);
  }

  @Test
  void perfectPredictionsCostNothing() {
    float[] logits = new float[18];
    byte[] labels = LossFixtures.LABELS;
    for (int p = 0; p < 6; p++) {
      int label = labels[p] & 0xff;
      for (int c = 0; c < 3; c++) {
        logits[p * 3 + c] = c == label ? 30f : -30f;
      }
    }
    assertEquals(0.0, LossFixtures.value(lovasz(""), logits), 1e-6);
  }

  @Test
  void badOptionsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lovasz("classes = 3"));
    assertTrue(e.getMessage().startsWith("losses.lovasz-softmax.classes = 3"), e.getMessage());
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    // A step small enough not to reorder the sorted errors of these random logits.
    float[] logits = LossFixtures.randomLogits(LossFixtures.LOGITS, 12);
    for (String o : List.of("", "classes = all")) {
      GradientCheck.Result r =
          GradientCheck.check(
              LossFixtures.LOGITS, logits,
              (tf, x) -> LossFixtures.build(tf, lovasz(o), x, LossFixtures.LABELS, LossFixtures.THREE), 2e-3f);
      assertTrue(r.maxAbsError() < 2e-3, o + ": max abs error " + r.maxAbsError());
      assertNoGradientAtUnlabelledPixels(r.analytic(), 3);
      assertTrue(Math.abs(r.analytic()[0]) > 1e-3, "labelled pixels get a gradient");
    }
    Loss binary = LovaszSoftmaxLoss.create(options("lovasz-softmax", ""), LossFixtures.binary());
    GradientCheck.Result r =
        GradientCheck.check(
            LossFixtures.BINARY_LOGITS, LossFixtures.randomLogits(LossFixtures.BINARY_LOGITS, 13),
            (tf, x) -> LossFixtures.build(tf, binary, x, LossFixtures.BINARY_LABELS, LossFixtures.TWO), 2e-3f);
    assertTrue(r.maxAbsError() < 2e-3, "binary: max abs error " + r.maxAbsError());
    assertNoGradientAtUnlabelledPixels(r.analytic(), 1);
  }

  @Test
  void aFewTrainingStepsLowerIt() {
    List<Float> softmax = LossFixtures.train(lovasz(""), false, 15, 2f);
    assertTrue(softmax.get(15) < 0.7 * softmax.get(0), "softmax: " + softmax);
    List<Float> binary =
        LossFixtures.train(LovaszSoftmaxLoss.create(options("lovasz-softmax", ""), LossFixtures.binary()), true, 15, 2f);
    assertTrue(binary.get(15) < 0.7 * binary.get(0), "binary: " + binary);
  }
}
