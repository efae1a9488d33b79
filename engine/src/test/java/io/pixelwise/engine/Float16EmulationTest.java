package io.pixelwise.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.engine.input.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Session;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * {@code runtime.precision = mixed-float16-emulated}: TensorFlow's float16 rewrite on the CPU
 * ({@code auto_mixed_precision_cpu}) with the loss scaling of the training step. This is the
 * float16 path that can run without a GPU.
 */
class Float16EmulationTest {
  private static final int H = 12;
  private static final int W = 20;

  private static EngineOptions options(Precision precision) {
    return new EngineOptions(Device.CPU, List.of(), 1, 1, false, Map.of(), precision, false);
  }

  private static SegmentationGraph graph(LossScale scale) {
    return new SegmentationGraph(
        TestModels.spec("simple-conv", "stem-width = 4, widths = [6, 6], convs-per-block = 1, batch-norm = true", "bilinear", "",
                5, new Optimizer.Adam(0.9f, 0.999f, 1e-8f))
            .withLossScale(scale));
  }

  private static Batch blobs(long seed, int count) {
    return TestModels.blobs(seed, count, H, W, 3, 4);
  }

  /** The casts to float16 in the partition graphs TensorFlow ran for one training step. */
  private static List<String> float16Casts(SegmentationGraph g, EngineOptions options) {
    try (Session s = new Session(g.graph, false, options.sessionConfig())) {
      s.initialize();
      Batch b = blobs(1, 2);
      try (TBool training = TBool.scalarOf(true);
          TFloat32 lr = TFloat32.scalarOf(1e-3f);
          TFloat32 t = TFloat32.scalarOf(1f)) {
        var result = s.runner()
            .feed(g.images, b.imageTensor()).feed(g.labels, b.labelTensor()).feed(g.training, training)
            .feed(g.learningRate, lr).feed(g.updateNumber, t)
            .addTarget(g.trainOp)
            .setOptions(RunOptions.newBuilder().setOutputPartitionGraphs(true).build())
            .runAndFetchMetadata();
        result.close();
        List<String> casts = new ArrayList<>();
        for (GraphDef partition : result.getMetadata().orElseThrow().getPartitionGraphsList()) {
          for (NodeDef node : partition.getNodeList()) {
            if (node.getOp().equals("Cast") && node.getAttrOrThrow("DstT").getType() == DataType.DT_HALF) {
              casts.add(node.getName());
            }
          }
        }
        b.close();
        return casts;
      }
    }
  }

  @Test
  void tensorFlowRoutesTheConvolutionsThroughFloat16() {
    try (SegmentationGraph g = graph(new LossScale(1024, 2000))) {
      List<String> emulated = float16Casts(g, options(Precision.MIXED_FLOAT16_EMULATED));
      // Forward convolutions and both backward ones, for each of the 4 convs (stem, 2 blocks, head).
      assertTrue(emulated.size() >= 12, "casts to float16: " + emulated);
      assertTrue(emulated.stream().allMatch(n -> n.contains("CastToFp16") && n.endsWith("AutoMixedPrecision")), emulated.toString());
      assertTrue(emulated.stream().anyMatch(n -> n.contains("Conv2DBackpropFilter")), emulated.toString());
      assertEquals(List.of(), float16Casts(g, options(Precision.FLOAT32)));
    }
  }

  @Test
  void aScaleFloat32HoldsButFloat16OverflowsSkipsTheStep() {
    // S = 2^30: the logits' gradient is about S / pixels ~ 1e6, beyond float16's 65504 but nothing for float32.
    for (Precision precision : List.of(Precision.FLOAT32, Precision.MIXED_FLOAT16_EMULATED)) {
      try (SegmentationGraph g = graph(new LossScale(1 << 30, 2000)); ModelSession s = new ModelSession(g, options(precision))) {
        s.initialize();
        Map<String, float[]> before = s.variableValues();
        ModelSession.StepLoss step = s.train(blobs(1, 4), 1e-3f, 1);
        assertTrue(Float.isFinite(step.total()), "the loss itself is float32 either way: " + step.total());
        Map<String, float[]> after = s.variableValues();
        if (precision == Precision.FLOAT32) {
          assertTrue(step.applied());
          assertEquals((double) (1 << 30), s.lossScale().orElseThrow());
        } else {
          assertFalse(step.applied(), "float16 gradients overflowed, so the update is skipped");
          assertEquals((double) (1 << 29), s.lossScale().orElseThrow());
          for (var e : before.entrySet()) {
            if (!e.getKey().startsWith("loss_scale/")) {
              org.junit.jupiter.api.Assertions.assertArrayEquals(e.getValue(), after.get(e.getKey()), e.getKey());
            }
          }
        }
      }
    }
  }

  @Test
  void trainingWithEmulatedFloat16LowersTheLoss() {
    try (SegmentationGraph g = graph(new LossScale(1024, 2000));
        ModelSession s = new ModelSession(g, options(Precision.MIXED_FLOAT16_EMULATED))) {
      s.initialize();
      Batch batch = blobs(3, 4);
      ModelSession.StepLoss first = s.train(batch, 1e-2f, 1);
      ModelSession.StepLoss last = first;
      int applied = first.applied() ? 1 : 0;
      for (int step = 2; step <= 20; step++) {
        last = s.train(batch, 1e-2f, step);
        applied += last.applied() ? 1 : 0;
      }
      assertEquals(20, applied, "no float16 overflow at S = 1024 on this model");
      assertTrue(Float.isFinite(first.total()) && last.total() < 0.8 * first.total(), first.total() + " -> " + last.total());
    }
  }
}
