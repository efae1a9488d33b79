package io.pixelwise.api.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;

class GraphContextReplicaTest {
  @Test
  void aReplicaGetsOneStandInPerVariableOfTheFirstCopy() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      GraphContext root = GraphContext.root(tf, tf.constant(false), 1);
      ModelVariable kernel = root.scope("conv").variable("kernel", Shape.of(3, 3), Initializers.zeros(), VariableRole.WEIGHT);
      assertThrows(IllegalArgumentException.class,
          () -> root.scope("conv").variable("kernel", Shape.of(3, 3), Initializers.zeros(), VariableRole.WEIGHT),
          "the first copy still refuses a second variable of one path");

      List<ModelVariable> asked = new ArrayList<>();
      GraphContext replica = root.replica(tf.withSubScope("replica_1"), tf.constant(true), v -> {
        asked.add(v);
        return v;
      });
      ModelVariable same = replica.scope("conv").variable("kernel", Shape.of(3, 3), Initializers.zeros(), VariableRole.WEIGHT);
      ModelVariable again = replica.scope("conv").variable("kernel", Shape.of(3, 3), Initializers.zeros(), VariableRole.WEIGHT);
      assertSame(kernel, same);
      assertSame(same, again);
      assertEquals(List.of(kernel), asked, "one stand-in per path");
      assertEquals(List.of("conv/kernel"), List.copyOf(replica.replicaVariables().keySet()));
      assertEquals(1, root.variables().size(), "a replica creates no variable");

      var unknown = assertThrows(IllegalArgumentException.class,
          () -> replica.scope("conv").variable("bias", Shape.of(3), Initializers.zeros(), VariableRole.BIAS));
      assertTrue(unknown.getMessage().contains("conv/bias") && unknown.getMessage().contains("no such variable"),
          unknown.getMessage());
      var reshaped = assertThrows(IllegalArgumentException.class,
          () -> replica.scope("conv").variable("kernel", Shape.of(5, 5), Initializers.zeros(), VariableRole.WEIGHT));
      assertTrue(reshaped.getMessage().contains("[3, 3]"), reshaped.getMessage());
    }
  }
}
