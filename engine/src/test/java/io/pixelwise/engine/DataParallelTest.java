package io.pixelwise.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.engine.input.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import java.util.TreeMap;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * Two replicas on two CPU devices against one device with the same batches. Every blob image has
 * the same number of labelled pixels (its top row is ignored), so the mean of the replicas'
 * per-pixel means, weighted by images, is the batch's mean: the two runs compute the same loss and
 * gradients up to the order of float additions.
 */
class DataParallelTest {
  private static final List<DeviceSpec> TWO_CPUS = Devices.parse("runtime.devices", List.of("cpu:0", "cpu:1"));

  private record Run(List<Float> losses, Map<String, float[]> weights) {}

  private static Run train(List<DeviceSpec> devices, int[] batchSizes) {
    return train(devices, batchSizes, null);
  }

  private static Run train(List<DeviceSpec> devices, int[] batchSizes, Cluster cluster) {
    try (SegmentationGraph g = SegmentationGraphTest.tinyModel(7, devices);
        ModelSession s = new ModelSession(g, 0, 0, cluster)) {
      s.initialize();
      List<Float> losses = new ArrayList<>();
      for (int step = 1; step <= batchSizes.length; step++) {
        Batch b = SegmentationGraphTest.batch(step, batchSizes[step - 1]);
        ModelSession.StepLoss loss = s.train(b, 5e-3f, step);
        assertTrue(Float.isFinite(loss.total()));
        losses.add(loss.total());
      }
      return new Run(losses, s.variableValues());
    }
  }

  private static void assertSameRun(Run expected, Run actual) {
    for (int i = 0; i < expected.losses().size(); i++) {
      float e = expected.losses().get(i);
      assertEquals(e, actual.losses().get(i), 1e-5f * Math.max(1, Math.abs(e)), "loss at step " + (i + 1));
    }
    assertEquals(expected.weights().keySet(), actual.weights().keySet());
    double worst = 0;
    for (String k : expected.weights().keySet()) {
      float[] e = expected.weights().get(k);
      float[] a = actual.weights().get(k);
      for (int i = 0; i < e.length; i++) {
        worst = Math.max(worst, Math.abs(e[i] - a[i]) / Math.max(1e-2, Math.abs(e[i])));
      }
    }
    assertTrue(worst < 1e-4, "largest relative weight difference " + worst);
  }

  @Test
  void twoReplicasTrainLikeOneDeviceWithTheWholeBatch() {
    int[] sizes = {8, 8, 8, 8, 8, 8, 8, 8, 8, 8};
    Run single = train(List.of(), sizes);
    Run replicated = train(TWO_CPUS, sizes);
    assertSameRun(single, replicated);
  }

  @Test
  void unevenAndShortBatchesAreWeightedByImages() {
    // 5 = 3 + 2 images; 1 image leaves the second replica without one (weight 0).
    int[] sizes = {5, 1, 8, 3, 1, 6};
    assertSameRun(train(List.of(), sizes), train(TWO_CPUS, sizes));
  }

  static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Two TensorFlow servers (in this JVM; the CLI test runs them as processes), the chief's session
   * running one replica on each task over gRPC: the same run as one device with the whole batch.
   */
  @Test
  void replicasOnTwoClusterTasksTrainLikeOneDevice() throws Exception {
    Cluster[] tasks = twoServingTasks();
    Cluster chief = tasks[0];
    Cluster worker = tasks[1];
    int[] sizes = {8, 5, 8, 1, 8, 8};
    List<DeviceSpec> devices = chief.replicaDevices(List.of());
    assertEquals("/job:worker/task:1/device:CPU:0", devices.get(1).toString());
    assertSameRun(train(List.of(), sizes), train(devices, sizes, chief));
  }

  /**
   * As above, but the worker task reads its own slice of every batch and enqueues it through a
   * session on its own server (here a thread standing in for the worker process); the chief is fed
   * its slice only. Batches of 1 leave the worker an empty slice.
   */
  @Test
  void aWorkerFeedingItsOwnSlicesTrainsLikeOneDevice() throws Exception {
    Cluster[] tasks = twoServingTasks();
    Cluster chief = tasks[0];
    Cluster worker = tasks[1];
    int[] sizes = {8, 5, 8, 1, 8, 8};
    List<DeviceSpec> devices = chief.replicaDevices(List.of());
    var started = new java.util.concurrent.CompletableFuture<Shards.Start>();
    Thread feeder = new Thread(() -> {
      try (Shards.Feed feed = new Shards.Feed(worker)) {
        Shards.Start start = feed.awaitStart();
        started.complete(start);
        for (long step = start.step() + 1; step <= start.totalSteps(); step++) {
          try (Batch slice = slice(SegmentationGraphTest.batch(step, sizes[(int) step - 1]), 1)) {
            feed.put(step, slice);
          }
        }
      } catch (RuntimeException e) {
        started.completeExceptionally(e);
      }
    });
    feeder.setDaemon(true);
    feeder.start();
    Run single = train(List.of(), sizes);
    Run sharded;
    try (SegmentationGraph g = SegmentationGraphTest.tinyModel(7, SegmentationGraphTest.loss("cross-entropy", false), false, devices, true);
        ModelSession s = new ModelSession(g, 0, 0, chief)) {
      s.initialize();
      s.startWorkers(new Shards.Start(1, 0, sizes.length, 40, 8, 7, 1));
      assertEquals(sizes.length, started.get(60, java.util.concurrent.TimeUnit.SECONDS).totalSteps());
      List<Float> losses = new ArrayList<>();
      for (int step = 1; step <= sizes.length; step++) {
        try (Batch mine = slice(SegmentationGraphTest.batch(step, sizes[step - 1]), 0)) {
          ModelSession.StepLoss loss = s.train(mine, 5e-3f, step);
          assertEquals(sizes[step - 1], loss.images(), "images of step " + step + ", both slices");
          losses.add(loss.total());
        }
      }
      sharded = new Run(losses, s.variableValues());
    }
    assertSameRun(single, sharded);
    feeder.join(10_000);
  }

  /** Replica r's slice of a batch for two replicas (ceil for the first), as bytes. */
  private static Batch slice(Batch b, int r) {
    int n = b.count();
    int from = r == 0 ? 0 : (n + 1) / 2;
    int to = r == 0 ? (n + 1) / 2 : n;
    int image = b.height() * b.width() * b.channels();
    int label = b.height() * b.width();
    return new Batch(to - from, b.height(), b.width(), b.channels(),
        java.util.Arrays.copyOfRange(b.images(), from * image, to * image),
        java.util.Arrays.copyOfRange(b.labels(), from * label, to * label), java.util.Collections.nCopies(to - from, "blob"));
  }

  /** The chief (task 0) and a worker (task 1) of a cluster on two free local ports, both serving. */
  private static Cluster[] twoServingTasks() throws Exception {
    List<String> workers = List.of("127.0.0.1:" + freePort(), "127.0.0.1:" + freePort());
    Cluster chief = cluster(workers, 0);
    Cluster worker = cluster(workers, 1);
    worker.serve(List.of());
    chief.serve(List.of());
    return new Cluster[] {chief, worker};
  }

  private static Cluster cluster(List<String> workers, int task) {
    return Cluster.of(workers, task, 60, 1, "shards").orElseThrow();
  }

  @Test
  void eachReplicaRunsForwardAndBackwardOnItsOwnDevice() {
    try (SegmentationGraph g = SegmentationGraphTest.tinyModel(7, TWO_CPUS);
        Session s = new Session(g.graph, false, ConfigProto.newBuilder().putDeviceCount("CPU", 2).build())) {
      s.initialize();
      Batch b = SegmentationGraphTest.batch(1, 4);
      Map<String, String> placed = new TreeMap<>();
      try (TUint8 images = TUint8.tensorOf(Shape.of(4, b.height(), b.width(), 3));
          TUint8 labels = TUint8.tensorOf(Shape.of(4, b.height(), b.width()));
          TFloat32 lr = TFloat32.scalarOf(1e-3f);
          TFloat32 t = TFloat32.scalarOf(1f)) {
        images.asRawTensor().data().write(b.images());
        labels.asRawTensor().data().write(b.labels());
        var result =
            s.runner().feed(g.images, images).feed(g.labels, labels).feed(g.learningRate, lr).feed(g.updateNumber, t)
                .addTarget(g.trainOp)
                .setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build())
                .runAndFetchMetadata();
        result.close();
        for (var device : result.getMetadata().orElseThrow().getStepStats().getDevStatsList()) {
          for (var node : device.getNodeStatsList()) {
            placed.put(node.getNodeName(), device.getDevice());
          }
        }
      }
      for (int r = 0; r < 2; r++) {
        String prefix = "replica_" + r + "/";
        List<String> nodes = placed.keySet().stream().filter(n -> n.startsWith(prefix)).toList();
        // The forward pass, the loss and its gradients: dozens of kernels per replica.
        assertTrue(nodes.size() > 50, prefix + " ran " + nodes);
        for (String n : nodes) {
          assertTrue(placed.get(n).endsWith("/device:CPU:" + r), n + " ran on " + placed.get(n));
        }
      }
    }
  }

  @Test
  void malformedDevicesAreNamed() {
    var e = assertThrows(IllegalArgumentException.class, () -> Devices.parse("runtime.devices", List.of("cpu:0", "tpu:1")));
    assertTrue(e.getMessage().contains("runtime.devices") && e.getMessage().contains("tpu:1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Devices.parse("runtime.devices", List.of("gpu:0", "GPU:0")));
    assertTrue(e.getMessage().contains("twice"), e.getMessage());
    assertEquals(3, Devices.localCpuDevices(Devices.parse("k", List.of("cpu:2", "cpu:0"))));
  }
}
