package io.pixelwise.api.model;

import io.pixelwise.api.graph.GraphContext;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** An encoder: turns normalised images into feature endpoints at decreasing resolution. */
public interface Backbone {

  /**
   * Adds the encoder to the graph.
   *
   * @param ctx a context scoped to the backbone; create variables through it
   * @param images NHWC float32, normalised per channel; height and width may be dynamic
   */
  Features build(GraphContext ctx, Operand<TFloat32> images);
}
