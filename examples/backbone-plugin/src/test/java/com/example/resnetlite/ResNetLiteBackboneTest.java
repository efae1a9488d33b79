package com.example.resnetlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.ModelVariable;
import io.pixelwise.api.model.Endpoint;
import io.pixelwise.api.model.Features;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * What Pixelwise relies on from a backbone, checked without Pixelwise's runner: the endpoints'
 * names, strides and sizes, static channel counts, and a gradient for every variable.
 */
class ResNetLiteBackboneTest {
  /** The plugin's own defaults, as the runner would merge them, with small widths. */
  private static Config options(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseResources("reference.conf").getConfig("backbones.resnet-lite"));
  }

  private static float[] random(int n) {
    Random r = new Random(7);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  @Test
  void endpointsHaveStridesTwoToThirtyTwoAndRoundedUpSizesAtAnOddInputSize() {
    int h = 37;
    int w = 53;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      Features f = ResNetLiteBackbone.fromConfig(options("stem-width = 8, widths = [8, 16, 16, 32], blocks-per-stage = 1, groups = 4"))
          .build(GraphContext.root(tf, tf.constant(false), 1).scope("backbone"), x);
      assertEquals(
          "stem (stride 2, 8 ch), stage1 (stride 4, 8 ch), stage2 (stride 8, 16 ch), stage3 (stride 16, 16 ch), "
              + "stage4 (stride 32, 32 ch)",
          f.describe());
      try (Session s = new Session(g);
          TFloat32 in = TFloat32.tensorOf(Shape.of(2, h, w, 3), DataBuffers.of(random(2 * h * w * 3), true, false))) {
        s.initialize();
        for (Endpoint e : f.endpoints()) {
          // Heads shape their kernels with the static channel count.
          assertEquals(e.channels(), e.tensor().shape().get(3), e.name());
          try (Result r = s.runner().feed(x, in).fetch(e.tensor()).run()) {
            int st = e.stride();
            assertEquals(Shape.of(2, (h + st - 1) / st, (w + st - 1) / st, e.channels()), r.get(0).shape(), e.name());
          }
        }
      }
    }
  }

  @Test
  void everyVariableIsNamedByItsLayerAndGetsAGradient() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      GraphContext root = GraphContext.root(tf, tf.constant(true), 1);
      Features f = ResNetLiteBackbone.fromConfig(options("stem-width = 8, widths = [8, 16], blocks-per-stage = 2, groups = 2"))
          .build(root.scope("backbone"), x);
      List<ModelVariable> vars = root.variables();
      List<String> paths = vars.stream().map(ModelVariable::path).toList();
      assertTrue(paths.containsAll(List.of(
          "backbone/stem/conv/kernel", "backbone/stem/norm/gamma", "backbone/stem/norm/beta",
          "backbone/stage1/block1/conv1/kernel", "backbone/stage1/block1/norm2/gamma",
          "backbone/stage2/block1/shortcut/kernel", "backbone/stage2/block1/shortcut_norm/beta",
          "backbone/stage2/block2/conv2/kernel")), paths.toString());
      assertTrue(paths.stream().noneMatch(p -> p.startsWith("backbone/stage1/block2/shortcut")),
          "an identity block has no projection: " + paths);

      Operand<TFloat32> loss = tf.math.mean(tf.math.square(f.last().tensor()), tf.constant(new int[] {0, 1, 2, 3}));
      Output<?>[] grads = g.addGradients(loss.asOutput(), vars.stream().map(v -> v.value().asOutput()).toArray(Output<?>[]::new));
      for (int i = 0; i < grads.length; i++) {
        assertNotNull(grads[i], vars.get(i).path() + " gets no gradient");
      }
    }
  }

  @Test
  void groupsThatDoNotDivideAWidthAreRejectedNamingTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ResNetLiteBackbone.fromConfig(options("widths = [64, 100], groups = 8")));
    assertTrue(e.getMessage().startsWith("backbones.resnet-lite.groups = 8 does not divide the widths [100]"), e.getMessage());
  }
}
