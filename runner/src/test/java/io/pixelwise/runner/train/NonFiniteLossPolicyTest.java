package io.pixelwise.runner.train;

import static io.pixelwise.runner.train.NonFiniteLossPolicy.Verdict.ROLL_BACK;
import static io.pixelwise.runner.train.NonFiniteLossPolicy.Verdict.SCALE_HALVED;
import static io.pixelwise.runner.train.NonFiniteLossPolicy.Verdict.STOP;
import static io.pixelwise.runner.train.NonFiniteLossPolicy.Verdict.TRAINED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.runner.config.TrainSettings;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class NonFiniteLossPolicyTest {
  private static final BooleanSupplier YES = () -> true;
  private static final BooleanSupplier NO = () -> false;
  /** A trained step never asks whether the run could roll back (that reads the run folder). */
  private static final BooleanSupplier UNASKED = () -> {
    throw new AssertionError("asked whether a checkpoint exists for a step that did not fail");
  };

  private static NonFiniteLossPolicy stop() {
    return new NonFiniteLossPolicy(new TrainSettings.NonFiniteLoss(false, 0.1, 3));
  }

  private static NonFiniteLossPolicy rollback(int max) {
    return new NonFiniteLossPolicy(new TrainSettings.NonFiniteLoss(true, 0.1, max));
  }

  @Test
  void aFiniteAppliedStepTrains() {
    NonFiniteLossPolicy p = stop();
    assertEquals(TRAINED, p.judge(0.7f, true, 1, UNASKED));
    assertNull(p.failure());
    assertEquals(1.0, p.learningRateFactor());
    assertFalse(p.needsStartingPoint());
  }

  @Test
  void stopFailsAtTheFirstNonFiniteLossNamingIt() {
    NonFiniteLossPolicy p = stop();
    assertEquals(STOP, p.judge(Float.NaN, true, 1, UNASKED));
    assertEquals("loss became NaN", p.failure());
    assertEquals(STOP, p.judge(Float.POSITIVE_INFINITY, true, 1, UNASKED));
    assertEquals("loss became Infinity", p.failure());
  }

  @Test
  void lossScalingSkipsOverflowsUntilTheScaleReachesOne() {
    NonFiniteLossPolicy p = stop();
    assertEquals(SCALE_HALVED, p.judge(Float.NaN, false, 32768, UNASKED), "float16 overflow: not a failure yet");
    assertEquals(SCALE_HALVED, p.judge(0.5f, false, 2, UNASKED));
    assertEquals(STOP, p.judge(0.5f, false, 1, UNASKED));
    assertEquals("gradients were not finite even at loss scale 1", p.failure());
  }

  @Test
  void rollbackGoesBackAtSmallerRatesAsOftenAsAllowedThenStops() {
    NonFiniteLossPolicy p = rollback(2);
    assertTrue(p.needsStartingPoint());
    assertEquals(ROLL_BACK, p.judge(Float.NaN, true, 1, YES));
    assertEquals(0.1, p.learningRateFactor(), 1e-12);
    assertEquals(TRAINED, p.judge(0.3f, true, 1, UNASKED));
    assertEquals(ROLL_BACK, p.judge(Float.NaN, true, 1, YES));
    assertEquals(0.01, p.learningRateFactor(), 1e-12);
    assertEquals(2, p.rollbacks());
    assertEquals(STOP, p.judge(Float.NaN, true, 1, UNASKED), "no rollback left");
    assertEquals(2, p.rollbacks());
  }

  @Test
  void withoutACheckpointToGoBackToTheRunStops() {
    NonFiniteLossPolicy p = rollback(3);
    assertEquals(STOP, p.judge(Float.NaN, true, 1, NO));
    assertEquals(0, p.rollbacks());
    assertEquals(1.0, p.learningRateFactor());
  }
}
