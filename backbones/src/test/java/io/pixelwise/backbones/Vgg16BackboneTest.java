package io.pixelwise.backbones;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.Initializers;
import io.pixelwise.api.graph.ModelVariable;
import io.pixelwise.api.graph.VariableRole;
import io.pixelwise.api.model.Endpoint;
import io.pixelwise.api.model.Features;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
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
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

class Vgg16BackboneTest {
  private static final List<Integer> SLIM = List.of(4, 4, 8, 8, 8);

  private static Vgg16Backbone slim(List<String> frozen, double dropout) {
    return new Vgg16Backbone(SLIM, List.of(8, 8), 7, dropout, frozen, Initializers.heNormal());
  }

  private static float[] random(int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  @Test
  void endpointsHaveTheStridesAndRoundedUpSizesOfVgg16AtAnOddInputSize() {
    int h = 37;
    int w = 53;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      Features f = slim(List.of(), 0.5).build(GraphContext.root(tf, tf.constant(false), 1).scope("backbone"), x);
      assertEquals(
          "block1 (stride 1, 4 ch), pool1 (stride 2, 4 ch), block2 (stride 2, 4 ch), pool2 (stride 4, 4 ch), "
              + "block3 (stride 4, 8 ch), pool3 (stride 8, 8 ch), block4 (stride 8, 8 ch), pool4 (stride 16, 8 ch), "
              + "block5 (stride 16, 8 ch), pool5 (stride 32, 8 ch), fc7 (stride 32, 8 ch)",
          f.describe());
      assertEquals("fc7", f.last().name());
      try (Session s = new Session(g);
          TFloat32 in = TFloat32.tensorOf(Shape.of(2, h, w, 3), DataBuffers.of(random(2 * h * w * 3, 1), true, false))) {
        s.initialize();
        for (Endpoint e : f.endpoints()) {
          try (Result r = s.runner().feed(x, in).fetch(e.tensor()).run()) {
            Shape shape = r.get(0).shape();
            int st = e.stride();
            assertEquals(Shape.of(2, (h + st - 1) / st, (w + st - 1) / st, e.channels()), shape, e.name());
            // The static channel count is known too: heads shape their kernels with it.
            assertEquals(e.channels(), e.tensor().shape().get(3), e.name());
          }
        }
      }
    }
  }

  @Test
  void fullWidthHasTheParameterCountOfVgg16WithConvolutionalFc6AndFc7() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      GraphContext root = GraphContext.root(tf, tf.constant(false), 1);
      Vgg16Backbone.fromConfig(ConfigFactory.parseResources("reference.conf").getConfig("backbones.vgg16"))
          .build(root.scope("backbone"), x);
      long params = root.variables().stream().mapToLong(ModelVariable::size).sum();
      // 14,714,688 in the 13 convs (Keras' VGG16 without top) + fc6 7x7x512x4096 + fc7 4096x4096.
      assertEquals(134_260_544L, params);
      assertEquals(30, root.variables().size());
      assertEquals(
          Shape.of(7, 7, 512, 4096),
          root.variables().stream().filter(v -> v.path().equals("backbone/fc6/kernel")).findFirst().orElseThrow().shape());
      assertTrue(root.variables().stream().anyMatch(v -> v.path().equals("backbone/block5/conv3/bias")));
    }
  }

  @Test
  void frozenBlocksHoldStateVariablesTheOthersTrainableOnes() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      GraphContext root = GraphContext.root(tf, tf.constant(false), 1);
      slim(List.of("block1", "fc6"), 0).build(root.scope("backbone"), x);
      for (ModelVariable v : root.variables()) {
        boolean frozen = v.path().startsWith("backbone/block1/") || v.path().startsWith("backbone/fc6/");
        assertEquals(frozen, v.role() == VariableRole.STATE, v.path());
        assertEquals(!frozen, v.role().trainable(), v.path());
      }
    }
  }

  @Test
  void withoutFcLayersTheEncoderEndsAtPool5() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      Features f =
          new Vgg16Backbone(SLIM, List.of(), 7, 0.5, List.of(), Initializers.heNormal())
              .build(GraphContext.root(tf, tf.constant(false), 1), x);
      assertEquals("pool5", f.last().name());
      assertEquals(32, f.last().stride());
    }
  }

  @Test
  void badOptionsAreErrorsNamingTheKeyAndWhatIsExpected() {
    var e = assertThrows(IllegalArgumentException.class, () -> slim(List.of("block6"), 0));
    assertEquals(
        "backbones.vgg16.freeze: unknown block 'block6'; expected names among block1, block2, block3, block4, block5, fc6, fc7",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new Vgg16Backbone(List.of(64, 128), List.of(4096, 4096), 7, 0.5, List.of(), Initializers.heNormal()));
    assertTrue(e.getMessage().startsWith("backbones.vgg16.widths: expected 5"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new Vgg16Backbone(SLIM, List.of(4096), 7, 0.5, List.of(), Initializers.heNormal()));
    assertTrue(e.getMessage().startsWith("backbones.vgg16.fc-widths:"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new Vgg16Backbone(SLIM, List.of(8, 8), 7, 1.0, List.of(), Initializers.heNormal()));
    assertTrue(e.getMessage().startsWith("backbones.vgg16.dropout:"), e.getMessage());
    // fc6 cannot be frozen when there is none.
    e = assertThrows(IllegalArgumentException.class,
        () -> new Vgg16Backbone(SLIM, List.of(), 7, 0.5, List.of("fc6"), Initializers.heNormal()));
    assertTrue(e.getMessage().contains("unknown block 'fc6'"), e.getMessage());
  }

  @Test
  void dropoutDropsAboutRateAndRescalesWhileTrainingOnlyAndItsGradientIsTheMask() {
    int n = 20_000;
    float rate = 0.3f;
    float[] input = new float[n];
    java.util.Arrays.fill(input, 2f);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 1, n, 1)));
      var training = tf.placeholderWithDefault(tf.constant(false), Shape.scalar());
      Operand<TFloat32> y = Dropout.apply(GraphContext.root(tf, training, 5), "drop", x, rate);
      Output<?> dx = g.addGradients(tf.reduceSum(y, tf.constant(new int[] {0, 1, 2, 3})).asOutput(), new Output<?>[] {x.asOutput()})[0];
      try (Session s = new Session(g);
          TFloat32 in = TFloat32.tensorOf(Shape.of(1, 1, n, 1), DataBuffers.of(input, true, false));
          TBool on = TBool.scalarOf(true)) {
        float[] inference = fetch(s.runner().feed(x, in).fetch(y).run());
        assertArrayEquals(input, inference, 0f, "identity at inference");
        float[][] trained = new float[2][];
        for (int run = 0; run < 2; run++) {
          try (Result r = s.runner().feed(x, in).feed(training, on).fetch(y).fetch(dx).run()) {
            float[] out = fetch(r, 0);
            float[] grad = fetch(r, 1);
            int dropped = 0;
            for (int i = 0; i < n; i++) {
              if (out[i] == 0f) {
                dropped++;
                assertEquals(0f, grad[i], 0f);
              } else {
                assertEquals(2f / (1 - rate), out[i], 1e-5f, "kept values are rescaled");
                assertEquals(1f / (1 - rate), grad[i], 1e-5f, "the gradient is the scaled mask");
              }
            }
            assertEquals(rate, dropped / (double) n, 0.02);
            trained[run] = out;
          }
        }
        assertFalse(java.util.Arrays.equals(trained[0], trained[1]), "a new mask each step");
      }
    }
  }

  @Test
  void theSameSeedDrawsTheSameMasks() {
    float[][] first = new float[2][];
    for (int k = 0; k < 2; k++) {
      try (Graph g = new Graph()) {
        Ops tf = Ops.create(g);
        var x = tf.constant(Shape.of(1, 1, 100, 1), DataBuffers.of(random(100, 3), true, false));
        Operand<TFloat32> y = Dropout.apply(GraphContext.root(tf, tf.constant(true), 9), "drop", x, 0.5f);
        try (Session s = new Session(g)) {
          first[k] = fetch(s.runner().fetch(y).run());
        }
      }
    }
    assertArrayEquals(first[0], first[1], 0f);
    assertNotEquals(0, java.util.stream.IntStream.range(0, 100).filter(i -> first[0][i] == 0f).count());
  }

  @Test
  void pretrainedNamesCoverEveryVariableWithKerasAndCaffeNames() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      GraphContext root = GraphContext.root(tf, tf.constant(false), 1);
      Vgg16Backbone b = slim(List.of(), 0);
      b.build(root.scope("backbone"), x);
      List<io.pixelwise.api.model.PretrainedName> names = b.pretrainedNames();
      assertEquals(
          root.variables().stream().map(ModelVariable::path).toList(),
          names.stream().map(n -> "backbone/" + n.variable()).toList());
      var first = names.get(0);
      assertEquals("block1/conv1/kernel", first.variable());
      assertEquals(
          List.of("block1_conv1/block1_conv1_W_1:0", "block1_conv1/block1_conv1/kernel:0", "block1_conv1/kernel", "conv1_1_W"),
          first.candidates());
      assertTrue(first.imageInput());
      assertEquals(1, names.stream().filter(io.pixelwise.api.model.PretrainedName::imageInput).count());
      var fc6 = names.stream().filter(n -> n.variable().equals("fc6/kernel")).findFirst().orElseThrow();
      assertTrue(fc6.optional(), "notop files lack the classifier");
      assertEquals("fc1/fc1_W_1:0", fc6.candidates().get(0));
      assertEquals(4, names.stream().filter(io.pixelwise.api.model.PretrainedName::optional).count());
    }
  }

  @Test
  void registeredAsVgg16WithDefaultsForEveryOption() {
    var defaults = ConfigFactory.parseResources("reference.conf").getConfig("backbones.vgg16");
    assertEquals(
        "dropout, fc-widths, fc6-kernel, freeze, kernel-init, widths",
        defaults.root().keySet().stream().sorted().collect(Collectors.joining(", ")));
    Vgg16Backbone.fromConfig(defaults);
  }

  private static float[] fetch(Result r) {
    try (r) {
      return fetch(r, 0);
    }
  }

  private static float[] fetch(Result r, int i) {
    TFloat32 t = (TFloat32) r.get(i);
    float[] a = new float[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(a, false, false));
    return a;
  }
}
