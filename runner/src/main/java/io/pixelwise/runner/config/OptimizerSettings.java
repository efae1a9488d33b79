package io.pixelwise.runner.config;

import com.typesafe.config.Config;
import io.pixelwise.engine.LearningRateSchedule;
import io.pixelwise.engine.Optimizer;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code optimizer} and {@code schedule}: the update rule with its per-variable rate factors, the
 * base learning rate and how it changes over the run.
 *
 * @param optimizer holds no graph state, so every graph of the experiment may share it
 */
public record OptimizerSettings(Optimizer optimizer, double learningRate, Schedule schedule) {

  /**
   * {@code schedule}: {@code poly} (decay to {@code end} with {@code power}, after a linear warmup)
   * or {@code constant}.
   */
  public record Schedule(boolean poly, double endLearningRate, double power, long warmupSteps) {
    /** The schedule of a run of {@code totalSteps} from {@code base}. */
    public LearningRateSchedule over(double base, long totalSteps) {
      return poly
          ? LearningRateSchedule.poly(base, endLearningRate, power, totalSteps, warmupSteps)
          : LearningRateSchedule.constant(base);
    }
  }

  public static OptimizerSettings from(Config c) {
    List<Optimizer.LrMultiplier> factors = new ArrayList<>();
    for (Config m : c.getConfigList("optimizer.lr-multipliers")) {
      factors.add(new Optimizer.LrMultiplier(m.getString("variables"), m.getDouble("multiplier")));
    }
    String name = c.getString("optimizer.name");
    Optimizer optimizer = switch (name) {
      case "adam" -> new Optimizer.Adam(
          (float) c.getDouble("optimizer.beta1"), (float) c.getDouble("optimizer.beta2"),
          (float) c.getDouble("optimizer.epsilon"));
      case "momentum" -> new Optimizer.Momentum(
          (float) c.getDouble("optimizer.momentum"), c.getBoolean("optimizer.nesterov"));
      default -> throw new IllegalArgumentException(
          "optimizer.name: unknown optimizer '" + name + "'; known: adam, momentum");
    };
    double lr = c.getDouble("optimizer.learning-rate");
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("optimizer.learning-rate: expected a number > 0, got " + lr);
    }
    String schedule = c.getString("schedule.name");
    if (!schedule.equals("poly") && !schedule.equals("constant")) {
      throw new IllegalArgumentException("schedule.name: unknown schedule '" + schedule + "'; known: poly, constant");
    }
    long warmup = c.getLong("schedule.warmup-steps");
    if (warmup < 0) {
      throw new IllegalArgumentException("schedule.warmup-steps: expected 0 or more, got " + warmup);
    }
    return new OptimizerSettings(
        optimizer.withMultipliers(factors), lr,
        new Schedule(schedule.equals("poly"), c.getDouble("schedule.end-learning-rate"), c.getDouble("schedule.power"),
            warmup));
  }
}
