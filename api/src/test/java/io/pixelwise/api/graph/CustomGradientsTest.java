package io.pixelwise.api.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.op.CustomGradient;
import org.tensorflow.op.RawOpInputs;
import org.tensorflow.op.math.Abs;
import org.tensorflow.op.math.Add;
import org.tensorflow.op.math.Div;
import org.tensorflow.op.math.Exp;
import org.tensorflow.op.math.Log;
import org.tensorflow.op.math.Mul;
import org.tensorflow.op.math.Neg;
import org.tensorflow.op.math.Sigmoid;
import org.tensorflow.op.math.Sqrt;
import org.tensorflow.op.math.Square;
import org.tensorflow.op.math.Sub;

/** The budget logic, with a stand-in for TensorFlow's registry (the real one is global to the JVM). */
class CustomGradientsTest {
  private static final CustomGradient<?> NONE = (tf, op, grads) -> List.of();

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<Class<? extends RawOpInputs<?>>> ops() {
    List<Class<? extends RawOpInputs<?>>> ops = new ArrayList<>();
    for (Class c :
        List.of(Add.Inputs.class, Sub.Inputs.class, Mul.Inputs.class, Div.Inputs.class, Neg.Inputs.class,
            Exp.Inputs.class, Log.Inputs.class, Abs.Inputs.class, Square.Inputs.class, Sqrt.Inputs.class,
            Sigmoid.Inputs.class)) {
      ops.add(c);
    }
    return ops;
  }

  @Test
  void theEleventhIsRefusedNamingWhoTookTheTen() {
    List<Class<?>> seen = new ArrayList<>();
    CustomGradients budget = new CustomGradients(10, (op, g) -> seen.add(op));
    List<Class<? extends RawOpInputs<?>>> ops = ops();
    for (int i = 0; i < 10; i++) {
      budget.add(ops.get(i), NONE, "loss 'l" + i + "'");
    }
    budget.add(ops.get(3), NONE, "loss 'again'"); // the same op again: kept, not counted
    assertEquals(10, seen.size());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> budget.add(ops.get(10), NONE, "loss 'eleven'"));
    assertTrue(e.getMessage().startsWith("loss 'eleven' needs a custom gradient for Sigmoid, but TensorFlow Java 1.1.0 allows 10"),
        e.getMessage());
    assertTrue(e.getMessage().contains("Add (loss 'l0')") && e.getMessage().contains("Sqrt (loss 'l9')"), e.getMessage());
    assertEquals(10, seen.size(), "the eleventh never reached TensorFlow");
  }

  @Test
  void aRefusalByTensorFlowIsAnError() {
    CustomGradients budget = new CustomGradients(10, (op, g) -> false);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> budget.add(ops().get(0), NONE, "head 'h'"));
    assertTrue(e.getMessage().startsWith("head 'h': TensorFlow refused the custom gradient for Add"), e.getMessage());
  }
}
