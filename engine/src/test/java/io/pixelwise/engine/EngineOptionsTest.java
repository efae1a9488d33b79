package io.pixelwise.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.engine.input.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.GraphOperation;
import org.tensorflow.proto.RewriterConfig;

/** Engine options at work in a session (how they are read: {@code RuntimeSettingsTest}). */
class EngineOptionsTest {

  @Test
  void aGraphPlacedOnTheCpuCarriesTheDeviceAndTrainsWithXlaAndSwitchedPasses() {
    try (SegmentationGraph g =
            new SegmentationGraph(
                TestModels.spec("simple-conv", "stem-width = 4, widths = [4, 4]", "bilinear", "", 5,
                    new Optimizer.Adam(0.9f, 0.999f, 1e-8f)),
                List.of(Device.CPU.placement()));
        ModelSession s = new ModelSession(g, new EngineOptions(Device.CPU, List.of(), 0, 0, true,
            Map.of("remapping", RewriterConfig.Toggle.OFF, "arithmetic", RewriterConfig.Toggle.OFF)))) {
      List<String> unplaced = new ArrayList<>();
      int placed = 0;
      for (var it = g.graph.operations(); it.hasNext(); ) {
        GraphOperation op = it.next();
        // Gradient ops are added by TensorFlow's C API, outside any scope of ours.
        if (op.name().startsWith("gradients")) {
          continue;
        }
        if (op.device().equals("/device:CPU:0")) {
          placed++;
        } else {
          unplaced.add(op.name() + " on '" + op.device() + "'");
        }
      }
      assertEquals(List.of(), unplaced);
      assertTrue(placed > 100, "ops placed: " + placed);
      s.initialize();
      Batch batch = TestModels.blobs(1, 2, 16, 32, 3, 4);
      float first = s.train(batch, 1e-2f, 1).total();
      float later = first;
      for (int i = 2; i <= 15; i++) {
        later = s.train(batch, 1e-2f, i).total();
      }
      assertTrue(Float.isFinite(first) && later < first, "loss " + first + " -> " + later);
    }
  }
}
