package io.pixelwise.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.engine.input.Batch;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * Where a training step and an inference batch of the simple model (simple-conv + bilinear, batch
 * 10 at 160x384) spend their time, by kernel type, from TensorFlow's own step trace over 5 runs
 * after 3 untimed ones.
 * Prints the table (by node: {@code -Dpixelwise.benchmark.by=node}); run with
 * {@code TF_ENABLE_ONEDNN_OPTS=1 mvn -o -q test -pl runner -am -Dbenchmarks -Dtest=OpProfileBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 * Kernel times overlap where ops run side by side, so they add up to more than the wall time.
 */
@Tag("benchmark")
class OpProfileBenchmark {
  /** {@code -Dpixelwise.benchmark.by=node} lists nodes rather than kernel types. */
  private static final boolean BY_NODE = "node".equals(System.getProperty("pixelwise.benchmark.by"));

  @Test
  void trainingStepByKernel() {
    profile("training steps", true);
  }

  @Test
  void inferenceByKernel() {
    profile("inference batches", false);
  }

  private static void profile(String what, boolean train) {
    try (SegmentationGraph g = TestModels.model("simple-conv", "", "bilinear", "", 1);
        Session s = new Session(g.graph)) {
      s.initialize();
      Batch b = TestModels.blobs(1, 10, 160, 384, 10, 20);
      Map<String, Long> micros = new TreeMap<>();
      long wall = 0;
      try (TUint8 images = TUint8.tensorOf(Shape.of(10, 160, 384, 3));
          TUint8 labels = TUint8.tensorOf(Shape.of(10, 160, 384));
          TFloat32 lr = TFloat32.scalarOf(1e-4f);
          TBool training = TBool.scalarOf(train);
          TFloat32 t = TFloat32.scalarOf(1f)) {
        images.asRawTensor().data().write(b.images());
        labels.asRawTensor().data().write(b.labels());
        for (int step = 0; step < 8; step++) {
          Session.Runner runner = s.runner().feed(g.images, images);
          if (train) {
            runner.feed(g.labels, labels).feed(g.learningRate, lr).feed(g.updateNumber, t).feed(g.training, training)
                .addTarget(g.trainOp);
          } else {
            runner.fetch(g.predictions); // what predict and evaluate fetch: class ids, argmax taken in the graph
          }
          if (step < 3) {
            runner.run().close();
            continue;
          }
          long start = System.nanoTime();
          var result = runner.setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build())
              .runAndFetchMetadata();
          wall += (System.nanoTime() - start) / 1000;
          result.close();
          for (var device : result.getMetadata().orElseThrow().getStepStats().getDevStatsList()) {
            for (var node : device.getNodeStatsList()) {
              // Timeline labels read "name = Type(inputs)".
              String label = node.getTimelineLabel();
              String type = label.contains(" = ") ? label.split(" = ")[1].split("\\(")[0] : node.getNodeName();
              micros.merge(BY_NODE ? node.getNodeName() + " " + type : type, node.getOpEndRelMicros() - node.getOpStartRelMicros(), Long::sum);
            }
          }
        }
      }
      System.out.printf("TF_ENABLE_ONEDNN_OPTS=%s: 5 %s of 10 in %.2f s (traced)%n",
          System.getenv("TF_ENABLE_ONEDNN_OPTS"), what, wall / 1e6);
      micros.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(BY_NODE ? 40 : 15)
          .forEach(e -> System.out.printf("  %-42s %7.0f ms%n", e.getKey(), e.getValue() / 1000.0));
      assertTrue(!micros.isEmpty(), "the step trace named no kernels");
    }
  }
}
