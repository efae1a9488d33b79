package io.pixelwise.api.model;

import io.pixelwise.api.graph.GraphContext;
import java.util.List;
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

  /**
   * How published (e.g. ImageNet) weight files name this backbone's variables, for importing
   * them ({@code model.init-from}). Empty, the default, when there are none to import.
   */
  default List<PretrainedName> pretrainedNames() {
    return List.of();
  }
}
