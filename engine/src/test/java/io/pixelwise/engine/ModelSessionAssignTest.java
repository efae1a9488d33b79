package io.pixelwise.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pixelwise.api.graph.ModelVariable;
import org.junit.jupiter.api.Test;

class ModelSessionAssignTest {

  @Test
  void assignSetsOneVariableAndChecksTheSize() {
    try (SegmentationGraph g = TestModels.model("simple-conv", "stem-width = 4, widths = [4]", "bilinear", "", 1);
        ModelSession s = new ModelSession(g, 0, 0)) {
      s.initialize();
      ModelVariable kernel = g.modelVariables().get(0);
      float[] values = new float[(int) kernel.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = i * 0.5f;
      }
      float[] otherBefore = s.variableValues().get(g.modelVariables().get(2).path());
      s.assign(kernel, values);
      s.assign(kernel, values); // the feed op is made once and reused
      assertArrayEquals(values, s.variableValues().get(kernel.path()), 0f);
      assertArrayEquals(otherBefore, s.variableValues().get(g.modelVariables().get(2).path()), 0f);
      var e = assertThrows(IllegalArgumentException.class, () -> s.assign(kernel, new float[3]));
      assertEquals(kernel.path() + " holds " + kernel.size() + " values, got 3", e.getMessage());
    }
  }
}
