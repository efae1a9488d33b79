package io.pixelwise.runner.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.runner.data.Batch;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

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
