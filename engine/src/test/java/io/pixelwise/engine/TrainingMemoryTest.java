package io.pixelwise.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pixelwise.engine.input.Batch;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import java.util.List;
import org.tensorflow.proto.RewriterConfig;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.proto.StepStats;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * What a training step keeps and copies, by TensorFlow's own allocator accounting (which oneDNN's
 * allocator keeps and the plain CPU allocator does not, hence the assumption).
 */
class TrainingMemoryTest {
  // A 1024 -> 1024 conv, a 36 MiB kernel. Measured: the kept initial values showed for VGG16's
  // large kernels (fc6, fc7) and for this one, not for kernels of a few MiB.
  private static final String WIDE = "stem-width = 16, widths = [1024], convs-per-block = 2";

  @BeforeAll
  static void needsAllocatorAccounting() {
    assumeTrue(OneDnnChoice.activeInThisProcess(), "TensorFlow's plain CPU allocator keeps no accounting");
  }

  @Test
  void initialValuesAreNotKeptByTheSessionOnceTrained() {
    // Grappler folds a value computed from constants alone into a constant, which the cached
    // initialization would hold next to the variable: with folding off nothing can be, so both
    // sessions must hold the same after initializing and after a step.
    long[] folding = heldAfterInitAndStep(Map.of());
    long[] noFolding = heldAfterInitAndStep(Map.of("constant-folding", RewriterConfig.Toggle.OFF));
    assertEquals(noFolding[0], folding[0], 1 << 20, "held after initializing, bytes");
    assertEquals(noFolding[1], folding[1], 1 << 20, "held after one step, bytes");
  }

  @Test
  void noUpdateCopiesItsVariable() {
    // An update that ran while a gradient op still had to read the old weights would make
    // TensorFlow copy the variable first (VGG16's fc6: 392 MiB).
    try (SegmentationGraph g = TestModels.model("simple-conv", WIDE, "bilinear", "", 1);
        Session s = session(g, Map.of())) {
      s.initialize();
      // The first update copies every variable and both its slots (TensorFlow still holds the
      // initial values then; nothing is held twice at once, measured on VGG16): steady steps only.
      step(s, g, 1);
      Map<String, Long> allocated = new TreeMap<>();
      for (int step = 2; step <= 3; step++) {
        for (var device : step(s, g, step).getDevStatsList()) {
          for (var node : device.getNodeStatsList()) {
            long bytes = node.getMemoryList().stream().mapToLong(m -> m.getTotalBytes()).sum();
            if (node.getNodeName().contains("/ResourceApply") && bytes > 0) {
              allocated.merge(node.getNodeName(), bytes, Long::sum);
            }
          }
        }
      }
      assertTrue(allocated.isEmpty(), "updates allocated (copied their variable): " + allocated);
    }
  }

  private static long[] heldAfterInitAndStep(Map<String, RewriterConfig.Toggle> passes) {
    try (SegmentationGraph built = TestModels.model("simple-conv", WIDE, "bilinear", "", 1)) {
      Operand<TFloat32> probe = StepTraces.probe(built.graph);
      try (Session s = session(built, passes)) {
        s.initialize();
        long afterInit = StepTraces.mostHeld(StepTraces.trace(s.runner().fetch(probe)));
        step(s, built, 1);
        long afterStep = StepTraces.mostHeld(StepTraces.trace(s.runner().fetch(probe)));
        assertTrue(afterInit > built.parameterCount() * 4L, "held after initializing: " + afterInit);
        return new long[] {afterInit, afterStep};
      }
    }
  }

  private static Session session(SegmentationGraph g, Map<String, RewriterConfig.Toggle> passes) {
    EngineOptions options = new EngineOptions(Device.CPU, List.of(), 0, 0, false, passes);
    // One op at a time: the order of allocations, and so what is held when, is the same every run.
    return new Session(g.graph, false, options.sessionConfig().toBuilder().setInterOpParallelismThreads(1).build());
  }

  /** Runs training step {@code update}, traced: its step stats. */
  private static StepStats step(Session s, SegmentationGraph g, int update) {
    Batch b = TestModels.blobs(update, 2, 32, 48, 4, 4);
    try (Batch fed = b;
        TFloat32 lr = TFloat32.scalarOf(1e-3f);
        TFloat32 t = TFloat32.scalarOf(update);
        TBool training = TBool.scalarOf(true)) {
      return StepTraces.trace(s.runner().feed(g.images, fed.imageTensor()).feed(g.labels, fed.labelTensor())
          .feed(g.learningRate, lr).feed(g.updateNumber, t).feed(g.training, training).addTarget(g.trainOp));
    }
  }

}
