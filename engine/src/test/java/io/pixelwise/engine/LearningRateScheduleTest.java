package io.pixelwise.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

  @Test
  void polyDecaysLinearlyToTheEndRateWithPowerOne() {
    LearningRateSchedule s = LearningRateSchedule.poly(1e-3, 0, 1.0, 100, 0);
    assertEquals(1e-3, s.at(0), 1e-12);
    assertEquals(5e-4, s.at(50), 1e-12);
    assertEquals(0, s.at(100), 1e-12);
    assertEquals(0, s.at(150), 1e-12);
  }

  @Test
  void polyWithPowerTwoAndEndRate() {
    LearningRateSchedule s = LearningRateSchedule.poly(1.0, 0.1, 2.0, 10, 0);
    assertEquals(0.9 * 0.25 + 0.1, s.at(5), 1e-12);
  }

  @Test
  void warmupRampsLinearlyThenDecays() {
    LearningRateSchedule s = LearningRateSchedule.poly(1.0, 0, 1.0, 110, 10);
    assertEquals(0.1, s.at(0), 1e-12);
    assertEquals(1.0, s.at(9), 1e-12);
    assertEquals(1.0, s.at(10), 1e-12);
    assertEquals(0.5, s.at(60), 1e-12);
  }
}
