package io.pixelwise.api.graph;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** Builds the initial value of a variable; random initialisers must use the given stateless seed. */
@FunctionalInterface
public interface Initializer {

  /**
   * @param tf ops in the graph's init scope
   * @param shape the variable's shape
   * @param seed a {@code [2]} int64 seed for stateless random ops, unique to the variable and
   *     derived from the run's seed, so that initialisation is reproducible
   */
  Operand<TFloat32> create(Ops tf, Shape shape, Operand<TInt64> seed);
}
