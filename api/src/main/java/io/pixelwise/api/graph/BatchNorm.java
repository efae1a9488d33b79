package io.pixelwise.api.graph;

import com.typesafe.config.Config;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;

/**
 * Batch normalisation (Ioffe and Szegedy, 2015) over the channels of an NHWC tensor, with Keras'
 * {@code BatchNormalization} semantics (since api 1.2):
 *
 * <ul>
 *   <li>while training ({@link GraphContext#training()} true) each channel is normalised with the
 *       batch's mean and biased variance over batch, height and width; otherwise with the moving
 *       statistics;
 *   <li>{@code y = gamma * (x - mean) / sqrt(variance + epsilon) + beta}, gamma starting at 1 and
 *       beta at 0, both trained and not weight-decayed ({@link VariableRole#BIAS});
 *   <li>each training step sets {@code moving = momentum * moving + (1 - momentum) * batch} for
 *       the mean and the biased variance ({@link VariableRole#STATE}: saved in checkpoints, not
 *       trained), starting at 0 and 1.
 * </ul>
 *
 * <p>Variables, under the context it is applied in: {@code gamma}, {@code beta}, {@code
 * moving_mean}, {@code moving_variance}, one value per channel.
 *
 * @param momentum how much of the moving statistics each step keeps, in [0, 1)
 * @param epsilon added to the variance, at least {@value #MIN_EPSILON} (cuDNN's lower bound)
 */
public record BatchNorm(float momentum, float epsilon) {
  /** Keras' default momentum. */
  public static final float DEFAULT_MOMENTUM = 0.99f;
  /** Keras' default epsilon. */
  public static final float DEFAULT_EPSILON = 1e-3f;
  /** The smallest epsilon TensorFlow's cuDNN kernel accepts (Keras raises smaller ones to it). */
  public static final float MIN_EPSILON = 1.001e-5f;

  public BatchNorm {
    checkMomentum("batch norm momentum", momentum);
    checkEpsilon("batch norm epsilon", epsilon);
  }

  /** Keras' defaults: momentum 0.99, epsilon 1e-3. */
  public static BatchNorm defaults() {
    return new BatchNorm(DEFAULT_MOMENTUM, DEFAULT_EPSILON);
  }

  /**
   * Reads a component's {@code batch-norm} (boolean), {@code batch-norm-momentum} and {@code
   * batch-norm-epsilon} options. The numbers are checked even where batch norm is off.
   *
   * @param section where the options live, for messages (e.g. {@code backbones.simple-conv})
   * @return empty where {@code batch-norm = false}
   * @throws IllegalArgumentException naming the key, its value and what is expected
   */
  public static Optional<BatchNorm> fromOptions(Config options, String section) {
    float momentum = (float) options.getDouble("batch-norm-momentum");
    float epsilon = (float) options.getDouble("batch-norm-epsilon");
    checkMomentum(section + ".batch-norm-momentum", momentum);
    checkEpsilon(section + ".batch-norm-epsilon", epsilon);
    return options.getBoolean("batch-norm") ? Optional.of(new BatchNorm(momentum, epsilon)) : Optional.empty();
  }

  private static void checkMomentum(String key, float momentum) {
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException(
          key + ": expected a value in [0, 1) (the share of the moving statistics each training step"
              + " keeps; 0.99 as in Keras), got " + momentum);
    }
  }

  private static void checkEpsilon(String key, float epsilon) {
    if (!(epsilon >= MIN_EPSILON) || Float.isInfinite(epsilon)) {
      throw new IllegalArgumentException(
          key + ": expected a finite value of at least " + MIN_EPSILON + " (cuDNN's lower bound; 0.001 as in"
              + " Keras), got " + epsilon);
    }
  }

  /**
   * Normalises {@code x} (NHWC with a static channel count), creating the variables in {@code ctx}
   * (give each layer its own scope) and registering the moving statistics' update with {@link
   * GraphContext#updateEachStep}.
   */
  public Operand<TFloat32> apply(GraphContext ctx, Operand<TFloat32> x) {
    Ops tf = ctx.tf();
    long channels = Layers.channels(x, ctx.path());
    Shape shape = Shape.of(channels);
    ModelVariable gamma = ctx.variable("gamma", shape, Initializers.constant(1f), VariableRole.BIAS);
    ModelVariable beta = ctx.variable("beta", shape, Initializers.zeros(), VariableRole.BIAS);
    ModelVariable movingMean = ctx.variable("moving_mean", shape, Initializers.zeros(), VariableRole.STATE);
    ModelVariable movingVariance = ctx.variable("moving_variance", shape, Initializers.constant(1f), VariableRole.STATE);
    FusedBatchNorm<TFloat32, TFloat32> inference =
        tf.nn.fusedBatchNorm(
            x, gamma.value(), beta.value(), movingMean.value(), movingVariance.value(),
            FusedBatchNorm.epsilon(epsilon), FusedBatchNorm.isTraining(false));
    if (ctx.isFrozen()) {
      return inference.y();
    }
    // is_training is an attribute, so both ops are built and the flag picks one; SelectV2 routes
    // the gradient to the chosen one only.
    FusedBatchNorm<TFloat32, TFloat32> batch =
        tf.nn.fusedBatchNorm(
            x, gamma.value(), beta.value(), movingMean.value(), movingVariance.value(),
            FusedBatchNorm.epsilon(epsilon), FusedBatchNorm.isTraining(true));
    Operand<TFloat32> keep = tf.constant(momentum);
    Operand<TFloat32> take = tf.constant(1 - momentum);
    ctx.updateEachStep(movingMean, tf.math.add(tf.math.mul(movingMean.value(), keep), tf.math.mul(batch.batchMean(), take)));
    // The op reports the unbiased variance, n / (n - 1) times the one it normalised with; Keras
    // averages the latter (for n = 1 both are 0).
    Operand<TFloat32> n =
        tf.dtypes.cast(
            tf.reduceProd(tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {3})), tf.constant(0)),
            TFloat32.class);
    Operand<TFloat32> biased = tf.math.mul(batch.batchVariance(), tf.math.div(tf.math.sub(n, tf.constant(1f)), n));
    ctx.updateEachStep(movingVariance, tf.math.add(tf.math.mul(movingVariance.value(), keep), tf.math.mul(biased, take)));
    return tf.select(ctx.training(), batch.y(), inference.y());
  }
}
