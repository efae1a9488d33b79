package io.pixelwise.losses;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.graph.Layers;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * Logits and labels flattened to one row per pixel, with what every loss needs: log-probabilities
 * and probabilities per class, the one-hot labels and the mask of labelled pixels.
 *
 * <p>An ignore pixel (any id {@code >= classes}) one-hot encodes to an all-zero row and has mask 0;
 * losses multiply by the mask (or by the one-hot row) so that such pixels get exactly zero
 * gradient.
 *
 * <p>A binary (sigmoid) model has one foreground logit z per pixel; its two classes get
 * log-probabilities {@code log(1 - sigmoid(z)) = -softplus(z)} and {@code log sigmoid(z) =
 * -softplus(-z)}, which are stable for large |z|. From there every loss reads the same in both
 * modes: binary cross-entropy is cross-entropy over these two columns, and so on.
 */
final class Pixels {
  final Ops tf;
  final int classes;
  /** [P, C] */
  final Operand<TFloat32> logProbs;
  /** [P, C] */
  final Operand<TFloat32> probs;
  /** [P, C], all-zero rows for unlabelled pixels */
  final Operand<TFloat32> oneHot;
  /** [P], 1 for labelled pixels, 0 otherwise */
  final Operand<TFloat32> valid;

  private Pixels(Ops tf, int classes, Operand<TFloat32> logProbs, Operand<TFloat32> oneHot, Operand<TFloat32> valid) {
    this.tf = tf;
    this.classes = classes;
    this.logProbs = logProbs;
    this.probs = tf.math.exp(logProbs);
    this.oneHot = oneHot;
    this.valid = valid;
  }

  static Pixels of(
      Ops tf, String loss, Operand<TFloat32> logits, Operand<TUint8> labels, ClassInfo classes, boolean binary) {
    int c = classes.size();
    long channels = Layers.channels(logits, "loss '" + loss + "'");
    long expected = binary ? 1 : c;
    if (channels != expected) {
      throw new IllegalArgumentException(
          "loss '" + loss + "': the logits have " + channels + " channels, expected " + expected
              + (binary ? " (one foreground logit: the model is binary)" : " (one per class)"));
    }
    Operand<TUint8> flatLabels = tf.reshape(labels, tf.constant(new int[] {-1}));
    Operand<TFloat32> oneHot = tf.oneHot(flatLabels, tf.constant(c), tf.constant(1f), tf.constant(0f));
    Operand<TFloat32> valid = tf.dtypes.cast(tf.math.less(flatLabels, tf.constant((byte) c)), TFloat32.class);
    Operand<TFloat32> logProbs;
    if (binary) {
      Operand<TFloat32> z = tf.reshape(logits, tf.constant(new int[] {-1, 1}));
      logProbs =
          tf.concat(
              List.of(tf.math.neg(tf.math.softplus(z)), tf.math.neg(tf.math.softplus(tf.math.neg(z)))),
              tf.constant(1));
    } else {
      logProbs = tf.nn.logSoftmax(tf.reshape(logits, tf.constant(new int[] {-1, c})));
    }
    return new Pixels(tf, c, logProbs, oneHot, valid);
  }

  /** Sums over the class axis: [P, C] to [P]. */
  Operand<TFloat32> perPixel(Operand<TFloat32> x) {
    return tf.reduceSum(x, tf.constant(1));
  }

  /** Sums over the pixel axis: [P, C] to [C]. */
  Operand<TFloat32> perClass(Operand<TFloat32> x) {
    return tf.reduceSum(x, tf.constant(0));
  }

  Operand<TFloat32> sum(Operand<TFloat32> x) {
    return tf.reduceSum(x, tf.constant(0));
  }

  /** log p of each pixel's true class, [P]; 0 for unlabelled pixels. */
  Operand<TFloat32> trueLogProb() {
    return perPixel(tf.math.mul(oneHot, logProbs));
  }

  /** The weight of each pixel's true class, [P]; 0 for unlabelled pixels. */
  Operand<TFloat32> trueClassWeight(float[] weights) {
    return perPixel(tf.math.mul(oneHot, tf.constant(weights)));
  }

  /** {@code num / den}, or 0 where den is 0 (a batch with nothing labelled). */
  Operand<TFloat32> mean(Operand<TFloat32> num, Operand<TFloat32> den) {
    return tf.math.divNoNan(num, den);
  }
}
