package io.pixelwise.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.ModelVariable;
import io.pixelwise.api.graph.VariableRole;
import io.pixelwise.api.testing.GradientCheck;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class UnetSkipHeadTest {
  private static final Config DEFAULTS =
      ConfigFactory.parseResources("reference.conf").resolve().getConfig("heads.unet-skip");

  static UnetSkipHead head(String overrides) {
    return UnetSkipHead.fromConfig(ConfigFactory.parseString(overrides).withFallback(DEFAULTS));
  }

  /** Builds the head on a fake backbone and returns its variables' shapes by path. */
  private static Map<String, Shape> build(FakeBackbone backbone, String overrides, int h, int w) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      GraphContext root = GraphContext.root(tf, tf.constant(false), 1);
      Operand<TFloat32> logits = head(overrides).build(root.scope("head"), backbone.build(root, x), 5);
      assertArrayEquals(new long[] {-1, -1, -1, 5}, logits.shape().asArray());
      try (Session s = new Session(g);
          TFloat32 in = TFloat32.tensorOf(Shape.of(1, h, w, 3), DataBuffers.of(FcnHeadTest.random(h * w * 3, 1), true, false));
          Result r = s.runner().feed(x, in).fetch(logits).run()) {
        assertEquals(Shape.of(1, h, w, 5), r.get(0).shape(), overrides);
      }
      Map<String, Shape> shapes = new LinkedHashMap<>();
      for (ModelVariable v : root.variables()) {
        shapes.put(v.path(), v.shape());
      }
      return shapes;
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"bilinear", "transposed"})
  void onSimpleConvEndpointsEachStageMergesTheNextFinerBlockDownToFullResolution(String upsample) {
    Map<String, Shape> v = build(FakeBackbone.simpleLike(), "upsample = " + upsample, 37, 53);
    // Default widths = the skip's channels; input = upsampled x (the stage's width when
    // transposed, x's own channels when resized) + the skip's channels.
    boolean t = upsample.equals("transposed");
    assertEquals(Shape.of(3, 3, 6 + 6, 6), v.get("head/up_block3/conv1/kernel"));
    assertEquals(Shape.of(3, 3, 6 + 6, 6), v.get("head/up_block2/conv1/kernel"));
    assertEquals(Shape.of(3, 3, 6 + 6, 6), v.get("head/up_block1/conv1/kernel"));
    assertEquals(Shape.of(3, 3, (t ? 3 : 6) + 3, 3), v.get("head/up_stem/conv1/kernel"));
    assertEquals(Shape.of(1, 1, 3, 5), v.get("head/score/kernel"));
    if (t) {
      assertEquals(Shape.of(4, 4, 6, 6), v.get("head/up_block3/upsample/kernel"));
      assertEquals(Shape.of(4, 4, 3, 6), v.get("head/up_stem/upsample/kernel"));
    }
    // Full resolution already: no final upsampling.
    assertTrue(v.keySet().stream().noneMatch(k -> k.startsWith("head/up_input")), v.keySet().toString());
  }

  @Test
  void onVggEndpointsTheAutomaticSkipsAreThePrePoolBlocks() {
    Map<String, Shape> v = build(FakeBackbone.vggLike(), "min-stride = 4, widths = [8, 8, 4]", 37, 53);
    // fc7 (15 ch) -> block5 (12) -> block4 (12) -> block3 (9); stride 4 then resized to the input.
    assertEquals(Shape.of(3, 3, 15 + 12, 8), v.get("head/up_block5/conv1/kernel"));
    assertEquals(Shape.of(3, 3, 8 + 12, 8), v.get("head/up_block4/conv1/kernel"));
    assertEquals(Shape.of(3, 3, 8 + 9, 4), v.get("head/up_block3/conv1/kernel"));
    assertEquals(8, v.size(), v.keySet().toString());
  }

  @Test
  void explicitSkipsAndTransposedFinalUpsampling() {
    Map<String, Shape> v = build(FakeBackbone.vggLike(), "skips = [pool4, pool3], upsample = transposed, convs = 2", 40, 31);
    assertEquals(Shape.of(3, 3, 12 + 12, 12), v.get("head/up_pool4/conv1/kernel"));
    assertEquals(Shape.of(3, 3, 12, 12), v.get("head/up_pool4/conv2/kernel"));
    assertEquals(Shape.of(4, 4, 12, 15), v.get("head/up_pool4/upsample/kernel"));
    // Scores at stride 8 -> x8 transposed conv (kernel 16) on the class scores.
    assertEquals(Shape.of(16, 16, 5, 5), v.get("head/up_input/upsample/kernel"));
  }

  @Test
  void gradientMatchesFiniteDifferencesWithTransposedUpsampling() {
    Shape shape = Shape.of(1, 7, 9, 1);
    float[] input = FcnHeadTest.random((int) shape.size(), 8);
    GradientCheck.Result r =
        GradientCheck.check(
            shape,
            input,
            (tf, x) -> {
              GraphContext root = GraphContext.root(tf, tf.constant(false), 3);
              FakeBackbone b =
                  new FakeBackbone(new FakeBackbone.Spec("s1", 1, 1), new FakeBackbone.Spec("s2", 2, 2), new FakeBackbone.Spec("s4", 4, 2));
              Operand<TFloat32> logits =
                  head("upsample = transposed, widths = [3, 2], kernel-init = \"normal(0.5)\"").build(root.scope("head"), b.build(root, x), 2);
              // Smooth in the input away from ReLU kinks: a weighted sum of squares of the logits.
              return tf.reduceSum(tf.math.square(logits), tf.constant(new int[] {0, 1, 2, 3}));
            },
            1e-2f);
    double scale = 0;
    for (float a : r.analytic()) {
      scale = Math.max(scale, Math.abs(a));
    }
    // float32 sums of squares make finite differences noisy: judge the error against the scale.
    assertTrue(scale > 1, "gradient scale " + scale);
    assertTrue(r.maxAbsError() < 2e-3 * scale, "max abs error " + r.maxAbsError() + " for gradients up to " + scale);
  }

  @Test
  void withBatchNormEachStageConvIsNormalisedInsteadOfBiased() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      GraphContext root = GraphContext.root(tf, tf.constant(false), 1);
      FakeBackbone b = new FakeBackbone(new FakeBackbone.Spec("s1", 1, 1), new FakeBackbone.Spec("s2", 2, 2));
      head("batch-norm = true, convs = 2, upsample = transposed").build(root.scope("head"), b.build(root, x), 5);
      Map<String, VariableRole> roles = new LinkedHashMap<>();
      root.variables().forEach(v -> roles.put(v.path(), v.role()));
      // The score conv keeps its bias; the transposed upsampling is untouched (a kernel only).
      assertEquals(VariableRole.BIAS, roles.get("head/score/bias"));
      assertEquals(List.of("head/up_s1/upsample/kernel"),
          roles.keySet().stream().filter(k -> k.startsWith("head/up_s1/upsample")).toList());
      for (String conv : List.of("head/up_s1/conv1", "head/up_s1/conv2")) {
        assertEquals(VariableRole.WEIGHT, roles.get(conv + "/kernel"), conv);
        assertFalse(roles.containsKey(conv + "/bias"), conv + " has a bias next to batch norm");
        assertEquals(VariableRole.BIAS, roles.get(conv + "/bn/gamma"), conv);
        assertEquals(VariableRole.BIAS, roles.get(conv + "/bn/beta"), conv);
        assertEquals(VariableRole.STATE, roles.get(conv + "/bn/moving_mean"), conv);
        assertEquals(VariableRole.STATE, roles.get(conv + "/bn/moving_variance"), conv);
      }
      assertEquals(2 * 2, root.stateUpdates().size(), "moving mean and variance of two convs");
    }
  }

  @Test
  void batchNormIsOffByDefaultWithKerasSettings() {
    assertFalse(DEFAULTS.getBoolean("batch-norm"));
    assertEquals(0.99, DEFAULTS.getDouble("batch-norm-momentum"));
    assertEquals(0.001, DEFAULTS.getDouble("batch-norm-epsilon"));
    var e = assertThrows(IllegalArgumentException.class, () -> head("batch-norm = true, batch-norm-momentum = 1.5"));
    assertTrue(e.getMessage().startsWith("heads.unet-skip.batch-norm-momentum: expected a value in [0, 1)"), e.getMessage());
  }

  @Test
  void badOptionsAreErrorsNamingTheKey() {
    var e = assertThrows(IllegalArgumentException.class, () -> head("upsample = nearest"));
    assertEquals("heads.unet-skip.upsample: expected bilinear or transposed, got 'nearest'", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> head("convs = 0"));
    assertTrue(e.getMessage().startsWith("heads.unet-skip.convs:"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> build(FakeBackbone.simpleLike(), "widths = [8, 8]", 8, 8));
    assertTrue(e.getMessage().startsWith("heads.unet-skip.widths: expected [] or one width per stage (4: [block3, block2, block1, stem])"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> build(FakeBackbone.simpleLike(), "skips = [block1, block2]", 8, 8));
    assertTrue(e.getMessage().contains("block2 (stride 4) follows block1 (stride 2)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> build(FakeBackbone.simpleLike(), "from = fc7", 8, 8));
    assertTrue(e.getMessage().startsWith("heads.unet-skip.from: no endpoint 'fc7'"), e.getMessage());
  }
}
