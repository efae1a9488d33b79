package io.pixelwise.engine;

/**
 * Learning rate as a function of the 0-based step. Computed on the Java side and fed each step,
 * so a resumed run only needs the step to continue the schedule.
 */
@FunctionalInterface
public interface LearningRateSchedule {

  double at(long step);

  /**
   * Polynomial decay from {@code base} to {@code end} over {@code totalSteps} (the course
   * notebooks' {@code tf.train.polynomial_decay}), after a linear warmup from ~0 over
   * {@code warmupSteps}.
   */
  static LearningRateSchedule poly(double base, double end, double power, long totalSteps, long warmupSteps) {
    return step -> {
      if (step < warmupSteps) {
        return base * (step + 1) / warmupSteps;
      }
      long decaySteps = Math.max(1, totalSteps - warmupSteps);
      double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
      return (base - end) * Math.pow(1 - progress, power) + end;
    };
  }

  static LearningRateSchedule constant(double base) {
    return step -> base;
  }
}
