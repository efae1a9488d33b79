package io.pixelwise.runner.config;

import com.typesafe.config.Config;

/**
 * {@code train}: how long, in which batches, what to keep and when to stop.
 *
 * @param maxSteps 0 for no limit beyond {@code epochs}
 * @param earlyStoppingPatience evaluations without a better {@code bestBy}; 0 never stops early
 * @param nonFiniteLoss what a NaN or infinite loss does
 */
public record TrainSettings(
    int epochs,
    int batchSize,
    long seed,
    boolean deterministic,
    float weightDecay,
    long maxSteps,
    int evalEveryEpochs,
    int keepCheckpoints,
    String bestBy,
    int earlyStoppingPatience,
    NonFiniteLoss nonFiniteLoss) {

  /**
   * {@code train.non-finite-loss}.
   *
   * @param rollback {@code action = rollback}: back to the latest checkpoint with a smaller rate;
   *     {@code stop} fails the run naming the step and images
   * @param lrFactor what each rollback multiplies the learning rate by
   * @param maxRollbacks rollbacks before the run stops anyway
   */
  public record NonFiniteLoss(boolean rollback, double lrFactor, int maxRollbacks) {
    /** Rollbacks the run may make: none when the action is {@code stop}. */
    public int rollbacksAllowed() {
      return rollback ? maxRollbacks : 0;
    }
  }

  public static TrainSettings from(Config c) {
    double weightDecay = c.getDouble("train.weight-decay");
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw new IllegalArgumentException("train.weight-decay: expected a number >= 0, got " + weightDecay);
    }
    long maxSteps = c.getLong("train.max-steps");
    if (maxSteps < 0) {
      throw new IllegalArgumentException("train.max-steps: expected 0 (no limit) or more, got " + maxSteps);
    }
    String action =
        Read.oneOf("train.non-finite-loss.action", c.getString("train.non-finite-loss.action"), "stop", "rollback");
    double lrFactor = c.getDouble("train.non-finite-loss.lr-factor");
    if (!(lrFactor > 0 && lrFactor <= 1)) {
      throw new IllegalArgumentException("train.non-finite-loss.lr-factor: expected a number in (0, 1], got " + lrFactor);
    }
    return new TrainSettings(
        Read.positive(c, "train.epochs"),
        Read.positive(c, "train.batch-size"),
        c.getLong("train.seed"),
        c.getBoolean("train.deterministic"),
        (float) weightDecay,
        maxSteps,
        Read.positive(c, "train.eval-every-epochs"),
        Read.positive(c, "train.keep-checkpoints"),
        c.getString("train.best-by"),
        Read.atLeastZero(c, "train.early-stopping-patience"),
        new NonFiniteLoss(
            action.equals("rollback"), lrFactor, Read.atLeastZero(c, "train.non-finite-loss.max-rollbacks")));
  }
}
