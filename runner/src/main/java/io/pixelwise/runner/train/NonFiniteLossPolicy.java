package io.pixelwise.runner.train;

import io.pixelwise.runner.config.TrainSettings;
import java.util.function.BooleanSupplier;

/**
 * What a training step's result means for the run ({@code train.non-finite-loss}): carry on,
 * count a step that loss scaling skipped, roll back to the latest checkpoint with a smaller
 * learning rate, or stop. Keeps the rollbacks left and the learning-rate factor they built up.
 */
final class NonFiniteLossPolicy {

  /** The verdict on one step. */
  enum Verdict {
    /** A finite loss, applied. */
    TRAINED,
    /** Loss scaling: a float16 gradient overflowed, the step changed only the (halved) scale. */
    SCALE_HALVED,
    /** Restore the latest checkpoint and go on at {@link #learningRateFactor()}. */
    ROLL_BACK,
    /** Fail the run, naming {@link #failure}. */
    STOP
  }

  private final double lrFactor;
  private int rollbacksLeft;
  private int rollbacks;
  private double learningRateFactor = 1;
  private String failure;

  NonFiniteLossPolicy(TrainSettings.NonFiniteLoss settings) {
    this.lrFactor = settings.lrFactor();
    this.rollbacksLeft = settings.rollbacksAllowed();
  }

  /** Whether the run must keep a checkpoint to roll back to before the first step. */
  boolean needsStartingPoint() {
    return rollbacksLeft > 0;
  }

  /**
   * @param totalLoss the step's loss, weight decay included
   * @param applied whether the update was applied (false: gradients not finite)
   * @param lossScale the loss scale the step ran at (1 without loss scaling)
   * @param canRollBack whether a checkpoint exists to go back to; asked only for a failed step
   *     that may roll back (it reads the run folder, and every step is judged)
   */
  Verdict judge(float totalLoss, boolean applied, float lossScale, BooleanSupplier canRollBack) {
    failure = null;
    if (!applied && lossScale > 1) {
      // Not a failure unless it keeps happening down to scale 1.
      return Verdict.SCALE_HALVED;
    }
    // Without loss scaling a non-finite loss has already written non-finite values into the
    // weights; with it, the update was skipped but even a scale of 1 did not help.
    failure = !Float.isFinite(totalLoss) ? "loss became " + totalLoss
        : !applied ? "gradients were not finite even at loss scale 1" : null;
    if (failure == null) {
      return Verdict.TRAINED;
    }
    if (rollbacksLeft > 0 && canRollBack.getAsBoolean()) {
      rollbacksLeft--;
      rollbacks++;
      learningRateFactor *= lrFactor;
      return Verdict.ROLL_BACK;
    }
    return Verdict.STOP;
  }

  /** What went wrong in the last step judged ROLL_BACK or STOP. */
  String failure() {
    return failure;
  }

  /** The product of the rollbacks' learning-rate factors so far. */
  double learningRateFactor() {
    return learningRateFactor;
  }

  /** Rollbacks made so far. */
  int rollbacks() {
    return rollbacks;
  }
}
