package io.pixelwise.runner.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BestScoreTest {

  @Test
  void aHigherScoreIsTheNewBestAndResetsThePatience() {
    BestScore best = new BestScore(2, Double.NEGATIVE_INFINITY, null);
    assertTrue(best.offer(0.4, "step-1"));
    assertFalse(best.offer(0.4, "step-2"), "equal is not better");
    assertEquals(1, best.evaluationsSinceBest());
    assertFalse(best.patienceExhausted());
    assertTrue(best.offer(0.5, "step-3"));
    assertEquals(0, best.evaluationsSinceBest());
    assertEquals(0.5, best.score());
    assertEquals("step-3", best.checkpoint());
  }

  @Test
  void patienceEvaluationsWithoutProgressStopTheRun() {
    BestScore best = new BestScore(2, 0.5, "step-3");
    best.offer(0.49, "step-4");
    assertFalse(best.patienceExhausted());
    best.offer(0.3, "step-5");
    assertTrue(best.patienceExhausted());
    assertEquals("step-3", best.checkpoint(), "the best stays where it was");
  }

  @Test
  void zeroPatienceNeverStopsAndNaNIsNeverBest() {
    BestScore best = new BestScore(0, Double.NEGATIVE_INFINITY, null);
    for (int i = 0; i < 50; i++) {
      assertFalse(best.offer(Double.NaN, "step-" + i));
    }
    assertFalse(best.patienceExhausted());
    assertNull(best.checkpoint());
  }
}
