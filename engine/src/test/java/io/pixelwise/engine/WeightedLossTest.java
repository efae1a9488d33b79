package io.pixelwise.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.SegmentationClass;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.loss.Loss;
import io.pixelwise.api.testing.GradientCheck;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TUint8;

class WeightedLossTest {
  private static final ClassInfo ONE = new ClassInfo(List.of(SegmentationClass.of("x", 0, 0, 0)), 255, 0);
  private static final Shape SHAPE = Shape.of(1, 1, 2, 1);
  // Stand-ins with known values: the sum and the sum of squares of the logits.
  private static final Loss SUM = (ctx, logits, labels, classes) -> ctx.tf().reduceSum(logits, ctx.tf().constant(new int[] {0, 1, 2, 3}));
  private static final Loss SQUARES =
      (ctx, logits, labels, classes) -> ctx.tf().reduceSum(ctx.tf().math.square(logits), ctx.tf().constant(new int[] {0, 1, 2, 3}));

  private static double value(WeightedLoss loss, float[] logits) {
    return GradientCheck.value(
        SHAPE, logits,
        (tf, x) -> loss.build(
            GraphContext.root(tf, tf.constant(false), 1), x,
            tf.dtypes.cast(tf.constant(new int[][][] {{{0, 0}}}), TUint8.class), ONE));
  }

  @Test
  void isTheWeightedSumOfItsTerms() {
    WeightedLoss loss = new WeightedLoss(List.of(new WeightedLoss.Term("sum", 1.0, SUM), new WeightedLoss.Term("squares", 0.5, SQUARES)));
    // sum 1 + 2 = 3, squares 1 + 4 = 5: 3 + 0.5 * 5.
    assertEquals(5.5, value(loss, new float[] {1, 2}), 1e-6);
    assertEquals(List.of("sum", "squares"), List.copyOf(loss.termValues().keySet()));
  }

  @Test
  void oneTermOfWeightOneIsThatLoss() {
    assertEquals(5, value(new WeightedLoss(List.of(new WeightedLoss.Term("squares", 1.0, SQUARES))), new float[] {1, 2}), 1e-6);
  }

  @Test
  void weightsMustBePositive() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new WeightedLoss.Term("dice", -0.5, SUM));
    assertTrue(e.getMessage().contains("loss 'dice': weight must be a number > 0, got -0.5"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new WeightedLoss(List.of()));
  }
}
