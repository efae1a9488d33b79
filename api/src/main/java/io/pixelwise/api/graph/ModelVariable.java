package io.pixelwise.api.graph;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * A float32 resource variable of the model.
 *
 * @param path unique slash-separated name, e.g. {@code backbone/block1/conv1/kernel}; it is also the
 *     tensor name in checkpoints
 * @param handle the resource handle, for assignments and optimizer updates
 * @param value the single read of the variable used by the forward pass; gradients are taken
 *     with respect to it
 */
public record ModelVariable(
    String path,
    Shape shape,
    VariableRole role,
    Operand<? extends TType> handle,
    Operand<TFloat32> value) {

  public long size() {
    return shape.size();
  }
}
