package io.pixelwise.losses;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.data.ClassFrequencies;
import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.SegmentationClass;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.Initializers;
import io.pixelwise.api.graph.ModelVariable;
import io.pixelwise.api.graph.VariableRole;
import io.pixelwise.api.loss.Loss;
import io.pixelwise.api.loss.LossContext;
import io.pixelwise.api.testing.GradientCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * The cases every loss test shares: a six-pixel image with ignore pixels and an absent class
 * whose probabilities are chosen so that the expected values can be worked out by hand, a binary
 * variant, the module's real defaults, and a tiny trainable model on synthetic pixels.
 */
final class LossFixtures {
  static final ClassInfo THREE =
      new ClassInfo(
          List.of(SegmentationClass.of("a", 1, 1, 1), SegmentationClass.of("b", 2, 2, 2), SegmentationClass.of("c", 3, 3, 3)),
          255,
          0);
  static final ClassInfo TWO =
      new ClassInfo(List.of(SegmentationClass.of("background", 0, 0, 0), SegmentationClass.of("foreground", 9, 9, 9)), 255, 0);

  static final Shape LABEL_SHAPE = Shape.of(1, 2, 3);
  static final Shape LOGITS = Shape.of(1, 2, 3, 3);
  static final Shape BINARY_LOGITS = Shape.of(1, 2, 3, 1);

  /**
   * Pixel 2 is ignored (255) and pixel 5 holds an id outside the label set (3): neither counts.
   * Class c (id 2) labels no pixel: it is absent.
   */
  static final byte[] LABELS = {0, 1, (byte) 255, 1, 0, 3};
  /** Softmax probabilities per pixel; logits are their logarithms. */
  static final double[][] PROBS = {
    {0.5, 0.25, 0.25}, {0.25, 0.5, 0.25}, {0.2, 0.3, 0.5}, {0.75, 0.125, 0.125}, {0.25, 0.25, 0.5}, {0.1, 0.1, 0.8},
  };

  /** Binary: background, foreground, ignored, foreground, foreground, out of range (2). */
  static final byte[] BINARY_LABELS = {0, 1, (byte) 255, 1, 1, 2};
  /** Foreground probabilities sigmoid(z) per pixel. */
  static final double[] FG_PROBS = {0.25, 0.8, 0.5, 0.5, 0.9, 0.75};

  private LossFixtures() {}

  static float[] logits() {
    float[] v = new float[18];
    for (int p = 0; p < 6; p++) {
      for (int c = 0; c < 3; c++) {
        v[p * 3 + c] = (float) Math.log(PROBS[p][c]);
      }
    }
    return v;
  }

  static float[] binaryLogits() {
    float[] v = new float[6];
    for (int p = 0; p < 6; p++) {
      v[p] = (float) Math.log(FG_PROBS[p] / (1 - FG_PROBS[p]));
    }
    return v;
  }

  static float[] randomLogits(Shape shape, long seed) {
    Random r = new Random(seed);
    float[] v = new float[(int) shape.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian() * 1.5f;
    }
    return v;
  }

  static LossContext softmax() {
    return LossContext.of(THREE);
  }

  static LossContext binary() {
    return new LossContext(TWO, true, () -> {
      throw new IllegalStateException("no frequencies in this test");
    });
  }

  static LossContext withFrequencies(ClassInfo classes, Supplier<ClassFrequencies> frequencies) {
    return new LossContext(classes, false, frequencies);
  }

  /** {@code overrides} (HOCON) over the defaults this module ships for {@code loss}. */
  static Config options(String loss, String overrides) {
    Config reference = ConfigFactory.parseResources(LossFixtures.class.getClassLoader(), "reference.conf");
    return ConfigFactory.parseString(overrides).withFallback(reference.getConfig("losses." + loss)).resolve();
  }

  static Operand<TFloat32> build(Ops tf, Loss loss, Operand<TFloat32> logits, byte[] labels, ClassInfo classes) {
    Operand<TUint8> l = tf.constant(LABEL_SHAPE, DataBuffers.of(labels, true, false));
    return loss.build(GraphContext.root(tf, tf.constant(false), 1), logits, l, classes);
  }

  static double value(Loss loss, float[] logits) {
    return GradientCheck.value(LOGITS, logits, (tf, x) -> build(tf, loss, x, LABELS, THREE));
  }

  static double binaryValue(Loss loss, float[] logits) {
    return GradientCheck.value(BINARY_LOGITS, logits, (tf, x) -> build(tf, loss, x, BINARY_LABELS, TWO));
  }

  static GradientCheck.Result gradient(Loss loss, float[] logits) {
    return GradientCheck.check(LOGITS, logits, (tf, x) -> build(tf, loss, x, LABELS, THREE), 1e-2f);
  }

  static GradientCheck.Result binaryGradient(Loss loss, float[] logits) {
    return GradientCheck.check(BINARY_LOGITS, logits, (tf, x) -> build(tf, loss, x, BINARY_LABELS, TWO), 1e-2f);
  }

  /** Every class's gradient at unlabelled pixels (2 and 5) is exactly zero. */
  static void assertNoGradientAtUnlabelledPixels(float[] analytic, int channels) {
    for (int p : new int[] {2, 5}) {
      for (int c = 0; c < channels; c++) {
        if (analytic[p * channels + c] != 0f) {
          throw new AssertionError("pixel " + p + " class " + c + " gets gradient " + analytic[p * channels + c]);
        }
      }
    }
  }

  // ---- training on synthetic pixels ----

  private static final int N = 2;
  private static final int H = 8;
  private static final int W = 12;

  /**
   * Synthetic scenes: three vertical bands (two for binary) whose pixels carry a noisy colour
   * code of their class; the top row is ignored. The model is a per-pixel linear classifier
   * (a 1x1 convolution) trained by plain gradient descent from zero weights.
   *
   * @return the loss before each step, and after the last one
   */
  static List<Float> train(Loss loss, boolean binary, int steps, float learningRate) {
    return train(loss, binary, steps, learningRate, 0.7f);
  }

  /** As above, with the feature noise's standard deviation; below ~0.15 the bands are separable. */
  static List<Float> train(Loss loss, boolean binary, int steps, float learningRate, float noise) {
    int classes = binary ? 2 : 3;
    int outputs = binary ? 1 : 3;
    Random r = new Random(11);
    float[] features = new float[N * H * W * 3];
    byte[] labels = new byte[N * H * W];
    for (int n = 0; n < N; n++) {
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          int p = (n * H + y) * W + x;
          int c = x * classes / W;
          for (int k = 0; k < 3; k++) {
            features[p * 3 + k] = (k == c ? 1f : 0f) + (float) r.nextGaussian() * noise;
          }
          labels[p] = (byte) (y == 0 ? 255 : c);
        }
      }
    }
    ClassInfo info = binary ? TWO : THREE;
    List<Float> values = new ArrayList<>();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      GraphContext ctx = GraphContext.root(tf, tf.constant(true), 5);
      ModelVariable w = ctx.variable("w", Shape.of(3, outputs), Initializers.zeros(), VariableRole.WEIGHT);
      ModelVariable b = ctx.variable("b", Shape.of(outputs), Initializers.zeros(), VariableRole.BIAS);
      Operand<TFloat32> x = tf.constant(Shape.of(N * H * W, 3), DataBuffers.of(features, true, false));
      Operand<TFloat32> logits =
          tf.reshape(tf.math.add(tf.linalg.matMul(x, w.value()), b.value()), tf.constant(new int[] {N, H, W, outputs}));
      Operand<TUint8> l = tf.constant(Shape.of(N, H, W), DataBuffers.of(labels, true, false));
      Operand<TFloat32> value = loss.build(ctx.scope("loss"), logits, l, info);
      var grads = tf.gradients(value, List.of(w.value(), b.value()));
      var lr = tf.constant(learningRate);
      var step =
          tf.withControlDependencies(
                  List.of(
                      tf.train.resourceApplyGradientDescent(w.handle(), lr, grads.dy(0)),
                      tf.train.resourceApplyGradientDescent(b.handle(), lr, grads.dy(1))))
              .noOp();
      try (Session s = new Session(g)) {
        s.initialize();
        for (int i = 0; i <= steps; i++) {
          // Read, then update, in separate runs: in one run the read could see either value.
          try (var result = s.runner().fetch(value).run()) {
            values.add(((TFloat32) result.get(0)).getFloat());
          }
          if (i < steps) {
            s.runner().addTarget(step).run().close();
          }
        }
      }
    }
    return values;
  }
}
