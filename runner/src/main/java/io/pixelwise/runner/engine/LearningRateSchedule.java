package io.pixelwise.runner.engine;

import com.typesafe.config.Config;

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

  /**
   * @param schedule the {@code schedule} section
   * @param base the optimizer's learning rate
   */
  static LearningRateSchedule fromConfig(Config schedule, double base, long totalSteps) {
    String name = schedule.getString("name");
    return switch (name) {
      case "poly" ->
          poly(
              base,
              schedule.getDouble("end-learning-rate"),
              schedule.getDouble("power"),
              totalSteps,
              schedule.getLong("warmup-steps"));
      case "constant" -> constant(base);
      default ->
          throw new IllegalArgumentException(
              "schedule.name: unknown schedule '" + name + "'; known: poly, constant");
    };
  }
}
