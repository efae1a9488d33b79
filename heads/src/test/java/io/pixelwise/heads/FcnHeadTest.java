package io.pixelwise.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.Initializers;
import io.pixelwise.api.graph.ModelVariable;
import io.pixelwise.api.graph.VariableRole;
import io.pixelwise.api.model.Features;
import io.pixelwise.api.testing.GradientCheck;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
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

class FcnHeadTest {
  private static final Config REFERENCE = ConfigFactory.parseResources("reference.conf").resolve();

  static FcnHead head(String name, String overrides) {
    return FcnHead.fromConfig(
        "heads." + name, ConfigFactory.parseString(overrides).withFallback(REFERENCE.getConfig("heads." + name)));
  }

  static float[] random(int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  static float[] fetch(Result r, int i) {
    TFloat32 t = (TFloat32) r.get(i);
    float[] a = new float[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(a, false, false));
    return a;
  }

  @ParameterizedTest
  @CsvSource({"fcn32, 37, 53", "fcn16, 37, 53", "fcn8, 37, 53", "fcn8, 64, 96", "fcn8, 1, 1", "fcn8, 33, 65"})
  void logitsHaveExactlyTheInputSize(String name, int h, int w) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      GraphContext root = GraphContext.root(tf, tf.constant(false), 1);
      Features f = FakeBackbone.vggLike().build(root, x);
      Operand<TFloat32> logits = head(name, "").build(root.scope("head"), f, 4);
      assertArrayEquals(new long[] {-1, -1, -1, 4}, logits.shape().asArray(), "static shape keeps the class count");
      try (Session s = new Session(g);
          TFloat32 in = TFloat32.tensorOf(Shape.of(2, h, w, 3), DataBuffers.of(random(2 * h * w * 3, h), true, false));
          Result r = s.runner().feed(x, in).fetch(logits).run()) {
        assertEquals(Shape.of(2, h, w, 4), r.get(0).shape());
      }
    }
  }

  @Test
  void fcn8HasTheLayersOfThePaper() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      GraphContext root = GraphContext.root(tf, tf.constant(false), 1);
      head("fcn8", "").build(root.scope("head"), FakeBackbone.vggLike().build(root, x), 2);
      Map<String, Shape> shapes =
          root.variables().stream().collect(Collectors.toMap(ModelVariable::path, ModelVariable::shape));
      // FakeBackbone: fc7 has 15 channels, pool4 12, pool3 9.
      assertEquals(Shape.of(1, 1, 15, 2), shapes.get("head/score_fc7/kernel"));
      assertEquals(Shape.of(4, 4, 2, 2), shapes.get("head/up_fc7/kernel"));
      assertEquals(Shape.of(1, 1, 12, 2), shapes.get("head/score_pool4/kernel"));
      assertEquals(Shape.of(4, 4, 2, 2), shapes.get("head/up_pool4/kernel"));
      assertEquals(Shape.of(1, 1, 9, 2), shapes.get("head/score_pool3/kernel"));
      assertEquals(Shape.of(16, 16, 2, 2), shapes.get("head/up_pool3/kernel"));
      assertEquals(9, shapes.size(), shapes.keySet().toString()); // 3 score kernels + 3 biases + 3 upsamplers
      assertTrue(root.variables().stream().filter(v -> v.path().startsWith("head/up_")).allMatch(v -> v.role() == VariableRole.WEIGHT));
    }
  }

  @Test
  void fixedUpsamplingIsNotTrained() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      GraphContext root = GraphContext.root(tf, tf.constant(false), 1);
      head("fcn32", "train-upsampling = false").build(root.scope("head"), FakeBackbone.vggLike().build(root, x), 2);
      assertEquals(VariableRole.STATE, root.variables().stream().filter(v -> v.path().equals("head/up_fc7/kernel")).findFirst().orElseThrow().role());
    }
  }

  /** Bilinear resize (half-pixel centres) of an h x w map by factor f, as TF computes it. */
  private static float[] resize(float[] in, int h, int w, int c, int f) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.constant(Shape.of(1, h, w, c), DataBuffers.of(in, true, false));
      var y = tf.image.resizeBilinear(x, tf.constant(new int[] {f * h, f * w}), org.tensorflow.op.image.ResizeBilinear.halfPixelCenters(true));
      try (Session s = new Session(g);
          Result r = s.runner().fetch(y).run()) {
        return fetch(r, 0);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 8})
  void bilinearInitialisedTransposedConvIsBilinearUpsamplingAwayFromTheBorder(int f) {
    int h = 5;
    int w = 6;
    // Channel 0 constant, channel 1 a linear ramp in both directions.
    float[] in = new float[h * w * 2];
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < w; j++) {
        in[(i * w + j) * 2] = 3f;
        in[(i * w + j) * 2 + 1] = 1.5f * i - 0.7f * j + 2f;
      }
    }
    float[] expected = resize(in, h, w, 2, f);
    int th = f * h - 3; // a crop, as for an input size that is not a multiple of the stride
    int tw = f * w - 1;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.constant(Shape.of(1, h, w, 2), DataBuffers.of(in, true, false));
      GraphContext root = GraphContext.root(tf, tf.constant(false), 1);
      Operand<TFloat32> full =
          Upsampling.transposed(root, "full", x, 2, f, tf.constant(new int[] {f * h, f * w}), Upsampling.bilinear(Initializers.heNormal()), true);
      Operand<TFloat32> cropped =
          Upsampling.transposed(root, "cropped", x, 2, f, tf.constant(new int[] {th, tw}), Upsampling.bilinear(Initializers.heNormal()), true);
      try (Session s = new Session(g);
          Result r = s.runner().fetch(full).fetch(cropped).run()) {
        assertEquals(Shape.of(1, f * h, f * w, 2), r.get(0).shape());
        assertEquals(Shape.of(1, th, tw, 2), r.get(1).shape());
        float[] up = fetch(r, 0);
        float[] crop = fetch(r, 1);
        // Interior: output pixels between the centres of the first and last input pixels.
        int lo = f / 2;
        int hiY = f * (h - 1) + (f - 1) / 2;
        int hiX = f * (w - 1) + (f - 1) / 2;
        int interior = 0;
        for (int y = 0; y < f * h; y++) {
          for (int xx = 0; xx < f * w; xx++) {
            for (int c = 0; c < 2; c++) {
              int p = (y * f * w + xx) * 2 + c;
              if (y >= lo && y <= hiY && xx >= lo && xx <= hiX) {
                assertEquals(expected[p], up[p], 1e-5f, "f=" + f + " at " + y + "," + xx + " channel " + c);
                interior++;
              }
              if (y < th && xx < tw) {
                assertEquals(up[p], crop[(y * tw + xx) * 2 + c], 0f, "the crop is the top-left of the full map");
              }
            }
          }
        }
        assertTrue(interior > f * h * f * w, "checked " + interior + " values");
        // At the border the zero padding shows: the corner gets less than the constant.
        assertTrue(up[0] < 3f && up[0] > 0f, "corner " + up[0]);
      }
    }
  }

  @Test
  void fcn8GradientMatchesFiniteDifferencesAtAnOddSize() {
    Shape shape = Shape.of(1, 9, 11, 2);
    float[] input = random((int) shape.size(), 5);
    float[] weights = random(9 * 11 * 3, 6);
    GradientCheck.Result r =
        GradientCheck.check(
            shape,
            input,
            (tf, x) -> {
              GraphContext root = GraphContext.root(tf, tf.constant(false), 3);
              // Random (not bilinear) upsampling and larger score weights so every path matters.
              Operand<TFloat32> logits =
                  head("fcn8", "score-init = \"normal(0.5)\", upsample-init = \"normal(0.5)\"")
                      .build(root.scope("head"), FakeBackbone.vggLike().build(root, x), 3);
              var wt = tf.constant(Shape.of(1, 9, 11, 3), DataBuffers.of(weights, true, false));
              return tf.reduceSum(tf.math.mul(logits, wt), tf.constant(new int[] {0, 1, 2, 3}));
            },
            1e-2f);
    assertTrue(r.maxAbsError() < 2e-3, "max abs error " + r.maxAbsError());
    double norm = 0;
    for (float a : r.analytic()) {
      norm += Math.abs(a);
    }
    assertTrue(norm > 0.1, "the input gets a gradient: " + norm);
  }

  @Test
  void skipScalesMultiplyTheSkipFeatures() {
    float[] grads = new float[3];
    String[] scales = {"[0.0]", "[0.5]", "[]"};
    for (int k = 0; k < 3; k++) {
      try (Graph g = new Graph()) {
        Ops tf = Ops.create(g);
        var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 40, 40, 3)));
        GraphContext root = GraphContext.root(tf, tf.constant(false), 1);
        Features f = FakeBackbone.vggLike().build(root, x);
        Operand<TFloat32> logits = head("fcn16", "skip-scales = " + scales[k]).build(root.scope("head"), f, 2);
        Output<?> d =
            g.addGradients(tf.reduceSum(logits, tf.constant(new int[] {0, 1, 2, 3})).asOutput(), new Output<?>[] {f.endpoint("pool4").tensor().asOutput()})[0];
        try (Session s = new Session(g);
            TFloat32 in = TFloat32.tensorOf(Shape.of(1, 40, 40, 3), DataBuffers.of(random(4800, 2), true, false));
            Result r = s.runner().feed(x, in).fetch(d).run()) {
          grads[k] = fetch(r, 0)[0];
        }
      }
    }
    assertEquals(0f, grads[0], 0f);
    assertTrue(Math.abs(grads[2]) > 1e-4, "unscaled gradient " + grads[2]);
    assertEquals(0.5f * grads[2], grads[1], 1e-6f);
  }

  @Test
  void badOptionsAreErrorsNamingTheKey() {
    var e = assertThrows(IllegalArgumentException.class, () -> head("fcn8", "skip-scales = [0.01]"));
    assertTrue(e.getMessage().startsWith("heads.fcn8.skip-scales: expected [] or one factor per skip endpoint (2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> head("fcn16", "upsample-init = cubic"));
    assertTrue(e.getMessage().startsWith("heads.fcn16.upsample-init: unknown initializer 'cubic'"), e.getMessage());
    assertTrue(e.getMessage().endsWith(", bilinear"), e.getMessage());
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      GraphContext root = GraphContext.root(tf, tf.constant(false), 1);
      Features f = FakeBackbone.simpleLike().build(root, x);
      e = assertThrows(IllegalArgumentException.class, () -> head("fcn8", "").build(root.scope("a"), f, 2));
      assertEquals(
          "heads.fcn8.endpoints: no endpoint 'fc7'; this backbone has: stem (stride 1, 3 ch), block1 (stride 2, 6 ch),"
              + " block2 (stride 4, 6 ch), block3 (stride 8, 6 ch), block4 (stride 16, 6 ch)",
          e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> head("fcn16", "endpoints = [block2, block4]").build(root.scope("b"), f, 2));
      assertTrue(e.getMessage().contains("block4 (stride 16) follows block2 (stride 4)"), e.getMessage());
      // The same decoder on simple-conv endpoints.
      Operand<TFloat32> logits = head("fcn8", "endpoints = [block4, block3, block2]").build(root.scope("c"), f, 2);
      assertArrayEquals(new long[] {-1, -1, -1, 2}, logits.shape().asArray());
    }
  }

  @Test
  void everyOptionHasADefault() {
    for (String name : List.of("fcn32", "fcn16", "fcn8")) {
      assertEquals(
          "endpoints, score-init, skip-scales, train-upsampling, upsample-init",
          REFERENCE.getConfig("heads." + name).root().keySet().stream().sorted().collect(Collectors.joining(", ")));
    }
    assertEquals(List.of("fc7", "pool4", "pool3"), REFERENCE.getStringList("heads.fcn8.endpoints"));
  }
}
