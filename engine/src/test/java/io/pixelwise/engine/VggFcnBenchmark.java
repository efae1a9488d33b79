package io.pixelwise.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.engine.input.Batch;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.StepStats;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Speed of the full-width VGG16-FCN8 on this machine: builds the model, runs training steps and
 * inference batches, prints images/s. Not part of the normal test run (minutes, gigabytes):
 *
 * <pre>
 * TF_ENABLE_ONEDNN_OPTS=0 mvn -o -q test -pl runner -am -Dbenchmarks -Dtest=VggFcnBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.height=160 -Dbench.width=576
 *     -Dbench.batch=2 -Dbench.steps=3 -Dbench.backbone="..." -Dbench.head=fcn8]
 * </pre>
 *
 * oneDNN is read by TensorFlow from the environment, so compare with TF_ENABLE_ONEDNN_OPTS=1.
 */
@Tag("benchmark")
class VggFcnBenchmark {

  @Test
  void trainingAndInferenceSpeed() {
    int h = Integer.getInteger("bench.height", 160);
    int w = Integer.getInteger("bench.width", 576);
    int n = Integer.getInteger("bench.batch", 2);
    int steps = Integer.getInteger("bench.steps", 3);
    String backbone = System.getProperty("bench.backbone", "");
    String head = System.getProperty("bench.head", "fcn8");
    Batch batch = noise(h, w, n);
    byte[] predictions = new byte[batch.pixels()];
    long t0 = System.nanoTime();
    try (SegmentationGraph g = VggFcnTrainingTest.model("vgg16", backbone, head, "", 1);
        ModelSession s = new ModelSession(g, 0, 0)) {
      s.initialize();
      long t1 = System.nanoTime();
      // The first step also allocates and autotunes: timed apart.
      float firstLoss = s.train(batch, 1e-4f, 1).total();
      long t2 = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        assertTrue(Float.isFinite(s.train(batch, 1e-4f, 2 + i).total()));
      }
      long t3 = System.nanoTime();
      s.predict(batch, predictions);
      long t4 = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        s.predict(batch, predictions);
      }
      long t5 = System.nanoTime();
      System.out.printf(
          "BENCH vgg16[%s]+%s %dx%d batch %d, TF_ENABLE_ONEDNN_OPTS=%s, %d trainable parameters:%n"
              + "  build+init %.1f s, first step %.1f s (loss %.3f)%n"
              + "  train %.2f img/s (%.2f s/step over %d steps), inference %.2f img/s (first batch %.2f s)%n",
          backbone, head, h, w, n, System.getenv("TF_ENABLE_ONEDNN_OPTS"), g.parameterCount(),
          (t1 - t0) / 1e9, (t2 - t1) / 1e9, firstLoss,
          n * steps / ((t3 - t2) / 1e9), (t3 - t2) / 1e9 / steps, steps,
          n * steps / ((t5 - t4) / 1e9), (t4 - t3) / 1e9);
    }
  }

  /**
   * Where a training step's memory goes, by TensorFlow's own accounting (oneDNN's allocator keeps
   * it; the plain CPU allocator does not): what the allocator holds after initializing and after a
   * step, the most it held during a traced step and after which node, and the largest allocations
   * by node. Run with {@code TF_ENABLE_ONEDNN_OPTS=1 ... -Dtest=VggFcnBenchmark#memoryOfATrainingStep}.
   */
  @Test
  void memoryOfATrainingStep() {
    int h = Integer.getInteger("bench.height", 160);
    int w = Integer.getInteger("bench.width", 576);
    int n = Integer.getInteger("bench.batch", 2);
    Batch batch = noise(h, w, n);
    SegmentationGraph built = VggFcnTrainingTest.model(
        "vgg16", System.getProperty("bench.backbone", ""), System.getProperty("bench.head", "fcn8"), "", 1);
    Operand<TFloat32> probe = StepTraces.probe(built.graph);
    // -Dbench.passes=constant-folding=off,remapping=off switches Grappler passes (EngineOptions.PASSES).
    java.util.Map<String, org.tensorflow.proto.RewriterConfig.Toggle> passes = new java.util.LinkedHashMap<>();
    for (String pass : System.getProperty("bench.passes", "").split(",")) {
      if (!pass.isBlank()) {
        String[] kv = pass.split("=");
        passes.put(kv[0].trim(), org.tensorflow.proto.RewriterConfig.Toggle.valueOf(kv[1].trim().toUpperCase(java.util.Locale.ROOT)));
      }
    }
    EngineOptions options = new EngineOptions(Device.CPU, java.util.List.of(), 0, 0, false, passes);
    ConfigProto config = options.sessionConfig(built.parameterCount(), OneDnnChoice.activeInThisProcess());
    try (SegmentationGraph g = built;
        Session s = new Session(g.graph, false, config);
        TFloat32 lr = TFloat32.scalarOf(1e-4f);
        TBool training = TBool.scalarOf(true);
        TFloat32 one = TFloat32.scalarOf(1f);
        TFloat32 two = TFloat32.scalarOf(2f)) {
      s.initialize();
      long afterInit = StepTraces.mostHeld(StepTraces.trace(s.runner().fetch(probe)));
      long firstStep = StepTraces.mostHeld(StepTraces.trace(s.runner().feed(g.images, batch.imageTensor()).feed(g.labels, batch.labelTensor())
          .feed(g.learningRate, lr).feed(g.updateNumber, one).feed(g.training, training).addTarget(g.trainOp)));
      long afterStep = StepTraces.mostHeld(StepTraces.trace(s.runner().fetch(probe)));
      StepStats step = StepTraces.trace(s.runner().feed(g.images, batch.imageTensor()).feed(g.labels, batch.labelTensor())
          .feed(g.learningRate, lr).feed(g.updateNumber, two).feed(g.training, training).addTarget(g.trainOp));
      Map<String, Long> heldAfter = new HashMap<>();
      Map<String, Long> allocatedBy = new HashMap<>();
      for (var device : step.getDevStatsList()) {
        for (var node : device.getNodeStatsList()) {
          for (var m : node.getMemoryList()) {
            heldAfter.merge(node.getNodeName(), m.getAllocatorBytesInUse(), Math::max);
            allocatedBy.merge(node.getNodeName(), m.getTotalBytes(), Long::sum);
          }
        }
      }
      System.out.printf("BENCH vgg16+fcn8 %dx%d batch %d, TF_ENABLE_ONEDNN_OPTS=%s, inter-op threads %d, %d parameters (%.1f MiB):%n"
              + "  held after initializing %.1f MiB, at most during the first step %.1f MiB, after it %.1f MiB,"
              + " at most during the second %.1f MiB%n",
          h, w, n, System.getenv("TF_ENABLE_ONEDNN_OPTS"), config.getInterOpParallelismThreads(), g.parameterCount(),
          g.parameterCount() * 4 / 1048576.0, afterInit / 1048576.0, firstStep / 1048576.0, afterStep / 1048576.0,
          StepTraces.mostHeld(step) / 1048576.0);
      System.out.println("  nodes after which the allocator held the most:");
      top(heldAfter, 5);
      System.out.println("  largest allocations by node:");
      top(allocatedBy, 12);
      assertTrue(StepTraces.mostHeld(step) > 0, "oneDNN's allocator reported nothing: run with TF_ENABLE_ONEDNN_OPTS=1");
    }
  }


  private static void top(Map<String, Long> bytes, int count) {
    bytes.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(count)
        .forEach(e -> System.out.printf("    %-60s %8.1f MiB%n", e.getKey(), e.getValue() / 1048576.0));
  }

  private static Batch noise(int h, int w, int n) {
    SplittableRandom r = new SplittableRandom(1);
    byte[] images = new byte[n * h * w * 3];
    byte[] labels = new byte[n * h * w];
    for (int i = 0; i < images.length; i++) {
      images[i] = (byte) r.nextInt(256);
    }
    for (int i = 0; i < labels.length; i++) {
      labels[i] = (byte) r.nextInt(2);
    }
    return new Batch(n, h, w, 3, images, labels, List.of());
  }
}
