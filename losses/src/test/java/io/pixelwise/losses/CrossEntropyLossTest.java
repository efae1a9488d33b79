package io.pixelwise.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.SegmentationClass;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.testing.GradientCheck;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;

class CrossEntropyLossTest {
  private static final ClassInfo THREE =
      new ClassInfo(
          List.of(SegmentationClass.of("a", 1, 1, 1), SegmentationClass.of("b", 2, 2, 2), SegmentationClass.of("c", 3, 3, 3)),
          255,
          0);
  private static final Shape LOGITS = Shape.of(1, 2, 3, 3);
  // Pixel 2 is ignored (255), pixel 4 carries an id outside the label set (3): both must not count.
  private static final byte[] LABELS = {0, 2, (byte) 255, 1, 3, 2};

  private static float[] randomLogits(long seed) {
    Random r = new Random(seed);
    float[] v = new float[(int) LOGITS.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian() * 2f;
    }
    return v;
  }

  private static double loss(float[] logits) {
    return GradientCheck.value(LOGITS, logits, (tf, x) -> build(tf, x));
  }

  private static org.tensorflow.Operand<org.tensorflow.types.TFloat32> build(
      org.tensorflow.op.Ops tf, org.tensorflow.Operand<org.tensorflow.types.TFloat32> x) {
    var labels = tf.constant(Shape.of(1, 2, 3), org.tensorflow.ndarray.buffer.DataBuffers.of(LABELS, true, false));
    return new CrossEntropyLoss().build(GraphContext.root(tf, tf.constant(false), 1), x, labels, THREE);
  }

  @Test
  void valueIsTheMeanOverLabelledPixelsOnly() {
    float[] logits = randomLogits(3);
    double sum = 0;
    int count = 0;
    for (int p = 0; p < LABELS.length; p++) {
      int label = LABELS[p] & 0xff;
      if (label >= 3) {
        continue;
      }
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < 3; c++) {
        max = Math.max(max, logits[p * 3 + c]);
      }
      double z = 0;
      for (int c = 0; c < 3; c++) {
        z += Math.exp(logits[p * 3 + c] - max);
      }
      sum += -(logits[p * 3 + label] - max - Math.log(z));
      count++;
    }
    assertEquals(4, count);
    assertEquals(sum / count, loss(logits), 1e-5);
  }

  @Test
  void allIgnoredGivesZeroNotNaN() {
    var tfLabels = new byte[] {(byte) 255, (byte) 255, (byte) 255, (byte) 255, (byte) 255, (byte) 255};
    double v =
        GradientCheck.value(
            LOGITS,
            randomLogits(4),
            (tf, x) ->
                new CrossEntropyLoss()
                    .build(
                        GraphContext.root(tf, tf.constant(false), 1),
                        x,
                        tf.constant(Shape.of(1, 2, 3), org.tensorflow.ndarray.buffer.DataBuffers.of(tfLabels, true, false)),
                        THREE));
    assertEquals(0.0, v, 0.0);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    float[] logits = randomLogits(5);
    GradientCheck.Result r = GradientCheck.check(LOGITS, logits, CrossEntropyLossTest::build, 1e-2f);
    assertTrue(r.maxAbsError() < 2e-3, "max abs error " + r.maxAbsError());
    // Ignored pixels get exactly zero gradient, not the softmax the dense op would give them.
    for (int c = 0; c < 3; c++) {
      assertEquals(0f, r.analytic()[2 * 3 + c], 0f);
      assertEquals(0f, r.analytic()[4 * 3 + c], 0f);
    }
    // And labelled pixels do get a gradient.
    assertTrue(Math.abs(r.analytic()[0]) > 1e-4);
  }
}
