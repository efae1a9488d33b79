package io.pixelwise.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.model.Endpoint;
import io.pixelwise.api.model.Features;
import io.pixelwise.api.testing.Npz;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The FCN-8s decoder against an independent PyTorch computation (tools/numerics/make_fixtures.py):
 * random score and transposed-conv weights on fc7/pool4/pool3 maps of a 37x53 input, to 1e-4.
 * PyTorch's conv_transpose2d with padding f/2 and a top-left crop must agree with our 'SAME'
 * Conv2DBackpropInput to the factor's multiple and crop, kernel layouts included.
 */
class FcnNumericsTest {

  @Test
  void logitsMatchThePyTorchReference() {
    Map<String, Npz.Array> fixture = Npz.resource(FcnNumericsTest.class, "/numerics/fcn8.npz");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      GraphContext root = GraphContext.root(tf, tf.constant(false), 1);
      Operand<TFloat32> input = tf.zeros(tf.constant(new int[] {1, 37, 53, 3}), TFloat32.class);
      Features features =
          new Features(
              input,
              List.of(
                  endpoint(tf, fixture, "pool3", 8),
                  endpoint(tf, fixture, "pool4", 16),
                  endpoint(tf, fixture, "fc7", 32)));
      Operand<TFloat32> logits = FcnHeadTest.head("fcn8", "").build(root.scope("head"), features, 3);
      var load = Npz.assign(tf, root.variables(), fixture);
      Npz.Array expected = fixture.get("expected/logits");
      try (Session s = new Session(g)) {
        s.initialize();
        s.runner().addTarget(load).run();
        try (Result r = s.runner().fetch(logits).run()) {
          TFloat32 t = (TFloat32) r.get(0);
          assertEquals(Shape.of(1, 37, 53, 3), t.shape());
          float[] actual = new float[expected.values().length];
          t.copyTo(DataBuffers.of(actual, false, false));
          double worst = 0;
          for (int i = 0; i < actual.length; i++) {
            worst = Math.max(worst, Math.abs(expected.values()[i] - actual[i]) / Math.max(1, Math.abs(expected.values()[i])));
          }
          assertTrue(worst < 1e-4, "worst difference " + worst);
        }
      }
    }
  }

  private static Endpoint endpoint(Ops tf, Map<String, Npz.Array> fixture, String name, int stride) {
    Npz.Array a = fixture.get("endpoint/" + name);
    return new Endpoint(name, Npz.constant(tf, a), stride, a.shape().get(3));
  }
}
