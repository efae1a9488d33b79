package io.pixelwise.api.model;

import io.pixelwise.api.graph.GraphContext;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** A decoder: turns backbone features into per-pixel class logits at the input's resolution. */
public interface Head {

  /**
   * Adds the decoder to the graph.
   *
   * @param ctx a context scoped to the head
   * @param features the backbone's endpoints and its input
   * @param numClasses number of output channels
   * @return NHWC float32 logits with the height and width of {@code features.input()}
   */
  Operand<TFloat32> build(GraphContext ctx, Features features, int numClasses);
}
