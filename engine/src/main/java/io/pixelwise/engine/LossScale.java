package io.pixelwise.engine;

/**
 * Dynamic loss scaling for float16 training ({@code runtime.loss-scale}), as Keras'
 * LossScaleOptimizer does it: the loss is multiplied by a scale S before the gradients are taken,
 * so that small float16 gradients do not flush to zero, and the gradients are divided by S before
 * the update. A step with any gradient that is not finite (float16 overflowed) changes nothing but
 * S, which is halved (not below 1); after {@code growthSteps} finite steps in a row S doubles
 * (while it stays finite in float32). S and the count of finite steps are variables of the graph
 * ({@code loss_scale/scale}, {@code loss_scale/good_steps}), saved in checkpoints.
 *
 * @param initial the first scale, at least 1 (Keras starts at 2^15)
 * @param growthSteps finite steps in a row after which the scale doubles
 */
public record LossScale(float initial, int growthSteps) {
  /** The variable scope: {@code loss_scale/scale} and {@code loss_scale/good_steps}. */
  public static final String SCOPE = "loss_scale";

  public LossScale {
    if (!(initial >= 1) || !Float.isFinite(initial)) {
      throw new IllegalArgumentException(
          "runtime.loss-scale.initial: expected a finite number >= 1 (32768 is the usual start), got " + initial);
    }
    if (growthSteps < 1) {
      throw new IllegalArgumentException("runtime.loss-scale.growth-steps: expected 1 or more, got " + growthSteps);
    }
  }
}
