package io.pixelwise.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.Initializers;
import io.pixelwise.api.model.Endpoint;
import io.pixelwise.api.model.Features;
import io.pixelwise.api.testing.Npz;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The slim VGG16 against an independent PyTorch computation of the same network and weights
 * (tools/numerics/make_fixtures.py): every endpoint of a 37x53 input, to 1e-4.
 */
class Vgg16NumericsTest {

  @Test
  void everyEndpointMatchesThePyTorchReference() {
    Map<String, Npz.Array> fixture = Npz.resource(Vgg16NumericsTest.class, "/numerics/vgg16-slim.npz");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      GraphContext root = GraphContext.root(tf, tf.constant(false), 1);
      Features features =
          new Vgg16Backbone(List.of(4, 4, 8, 8, 8), List.of(8, 8), 7, 0.5, List.of(), Initializers.heNormal())
              .build(root.scope("backbone"), Npz.constant(tf, fixture.get("input")));
      var load = Npz.assign(tf, root.variables(), fixture);
      try (Session s = new Session(g)) {
        s.initialize();
        s.runner().addTarget(load).run();
        assertEquals(11, features.endpoints().size());
        for (Endpoint e : features.endpoints()) {
          Npz.Array expected = fixture.get("expected/" + e.name());
          try (Result r = s.runner().fetch(e.tensor()).run()) {
            TFloat32 t = (TFloat32) r.get(0);
            assertEquals(expected.shape(), t.shape(), e.name());
            float[] actual = new float[expected.values().length];
            t.copyTo(DataBuffers.of(actual, false, false));
            assertClose(expected.values(), actual, e.name());
          }
        }
      }
    }
  }

  static void assertClose(float[] expected, float[] actual, String what) {
    double worst = 0;
    int nonZero = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / Math.max(1, Math.abs(expected[i])));
      nonZero += expected[i] != 0 ? 1 : 0;
    }
    assertTrue(worst < 1e-4, what + ": worst difference " + worst);
    assertTrue(nonZero > expected.length / 10, what + ": the reference is mostly zeros, a weak check");
  }
}
