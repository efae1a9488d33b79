package io.pixelwise.api.loss;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.graph.GraphContext;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * The data term of the training objective. Weight decay is added by the trainer, not here, so that
 * every loss gets it the same way.
 */
public interface Loss {

  /**
   * Adds the loss to the graph.
   *
   * @param logits NHWC float32 class scores: one channel per class, or a single foreground channel
   *     when the model is binary (see {@link LossContext#binary()})
   * @param labels NHW uint8 train ids; pixels equal to {@code classes.ignoreId()} (or any id
   *     {@code >= classes.size()}) must not contribute
   * @return a float32 scalar
   */
  Operand<TFloat32> build(GraphContext ctx, Operand<TFloat32> logits, Operand<TUint8> labels, ClassInfo classes);
}
