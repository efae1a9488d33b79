package io.pixelwise.api.testing;

import java.util.function.BiFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Compares the gradient TensorFlow builds ({@code Graph.addGradients}) with central finite
 * differences of a scalar function of one float32 input. Shared by the plugin modules' tests.
 */
public final class GradientCheck {

  /** Analytic and numeric gradients, element by element, and their worst disagreement. */
  public record Result(float[] analytic, float[] numeric, double maxAbsError, double maxRelError) {}

  private GradientCheck() {}

  /**
   * @param f builds a float32 scalar from the input placeholder
   * @param eps finite-difference step
   */
  public static Result check(
      Shape shape, float[] input, BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> f, float eps) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
      Operand<TFloat32> y = f.apply(tf, x);
      var grad = tf.gradients(y, java.util.List.of(x)).dy(0);
      try (Session s = new Session(g)) {
        float[] analytic = new float[input.length];
        try (TFloat32 xt = TFloat32.tensorOf(shape, DataBuffers.of(input, true, false));
            var r = s.runner().feed(x, xt).fetch(grad).run()) {
          ((TFloat32) r.get(0)).copyTo(DataBuffers.of(analytic, false, false));
        }
        float[] numeric = new float[input.length];
        float[] probe = input.clone();
        for (int i = 0; i < input.length; i++) {
          probe[i] = input[i] + eps;
          double up = eval(s, x, y, shape, probe);
          probe[i] = input[i] - eps;
          double down = eval(s, x, y, shape, probe);
          probe[i] = input[i];
          numeric[i] = (float) ((up - down) / (2 * eps));
        }
        double maxAbs = 0;
        double maxRel = 0;
        for (int i = 0; i < input.length; i++) {
          double d = Math.abs(analytic[i] - numeric[i]);
          maxAbs = Math.max(maxAbs, d);
          maxRel = Math.max(maxRel, d / Math.max(1e-3, Math.abs(analytic[i]) + Math.abs(numeric[i])));
        }
        return new Result(analytic, numeric, maxAbs, maxRel);
      }
    }
  }

  /** Evaluates the scalar for one input. */
  public static double value(
      Shape shape, float[] input, BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> f) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
      Operand<TFloat32> y = f.apply(tf, x);
      try (Session s = new Session(g)) {
        return eval(s, x, y, shape, input);
      }
    }
  }

  private static double eval(Session s, Operand<TFloat32> x, Operand<TFloat32> y, Shape shape, float[] in) {
    try (TFloat32 xt = TFloat32.tensorOf(shape, DataBuffers.of(in, true, false));
        var r = s.runner().feed(x, xt).fetch(y).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }
}
