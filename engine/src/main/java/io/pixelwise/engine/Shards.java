package io.pixelwise.engine;

import io.pixelwise.engine.input.Batch;
import java.util.List;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.io.FifoQueue;
import org.tensorflow.op.io.QueueDequeue;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * Workers that read their own shard of every batch ({@code cluster.input = shards}): each worker
 * task loads its replicas' slices of every global batch and enqueues them into a TensorFlow FIFO
 * queue on its own CPU, created under a shared name through a session on its own server; the
 * chief's graph names the same queue on that task and dequeues from it. A resource with a shared
 * name lives in the task's resource manager, which every session on that server shares, so both
 * graphs reach one queue and the images never pass through the chief.
 *
 * <p>Elements are (update number, image count, images NHWC, labels NHW). The update number lets
 * the chief refuse a slice meant for another step (a worker left over from an earlier chief); a
 * slice without images carries one blank image and count 0. A second queue per task carries the
 * chief's {@link Start} message once per run: where the run starts, and what chief and worker must
 * agree on for their batches to be the same.
 */
public final class Shards {
  /** Slices a worker may load ahead of the chief: enough to hide loading, bounded for memory. */
  static final long CAPACITY = 2;

  private static final List<Class<? extends TType>> DATA = List.of(TInt64.class, TInt32.class, TUint8.class, TUint8.class);
  private static final List<Class<? extends TType>> START = List.of(TInt64.class);

  private Shards() {}

  /**
   * What the chief tells each worker before the first step.
   *
   * @param firstEpoch the epoch the chief's loop starts with (1, or the one after a resumed checkpoint)
   * @param step updates already done
   * @param totalSteps the update after which the run ends
   * @param replicasPerTask the chief's {@code runtime.devices} count (1 if none), which the graph
   *     gives every task, whatever the worker's own setting
   */
  public record Start(
      int firstEpoch, long step, long totalSteps, int trainImages, int batchSize, long seed, int replicasPerTask) {
    static final int LENGTH = 7;

    long[] toArray() {
      return new long[] {firstEpoch, step, totalSteps, trainImages, batchSize, seed, replicasPerTask};
    }

    static Start of(long[] a) {
      return new Start((int) a[0], a[1], a[2], (int) a[3], (int) a[4], a[5], (int) a[6]);
    }
  }

  /** The CPU of a cluster task, where its queues live (queue kernels are CPU-only). */
  static DeviceSpec cpu(int task) {
    return DeviceSpec.newBuilder().job(Cluster.JOB).task(task).deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(0).build();
  }

  /** Both sides must create the queues with equal types and capacities, or TensorFlow refuses the second. */
  static FifoQueue dataQueue(Ops tf, int task) {
    return tf.withDevice(cpu(task)).withName("shard_queue_" + task).io.fifoQueue(
        DATA, FifoQueue.capacity(CAPACITY), FifoQueue.sharedName("pixelwise_shard_data_" + task));
  }

  static FifoQueue startQueue(Ops tf, int task) {
    return tf.withDevice(cpu(task)).withName("shard_start_" + task).io.fifoQueue(
        START, FifoQueue.capacity(1L), FifoQueue.sharedName("pixelwise_shard_start_" + task));
  }

  /** The chief's side of task {@code task}'s data queue: one slice per training step. */
  record Dequeued(Operand<TInt64> update, Operand<TInt32> count, Operand<TUint8> images, Operand<TUint8> labels) {}

  @SuppressWarnings("unchecked")
  static Dequeued dequeue(Ops tf, int task) {
    FifoQueue q = dataQueue(tf, task);
    QueueDequeue d = tf.withDevice(cpu(task)).withName("shard_dequeue_" + task).io.queueDequeue(q, DATA);
    List<org.tensorflow.Output<?>> c = d.components();
    return new Dequeued((Operand<TInt64>) c.get(0), (Operand<TInt32>) c.get(1), (Operand<TUint8>) c.get(2),
        (Operand<TUint8>) c.get(3));
  }

  /** The chief's message to task {@code task}: enqueued once, before the first step. */
  static Op sendStart(Ops tf, int task, Operand<TInt64> message) {
    return tf.withDevice(cpu(task)).withName("shard_send_start_" + task).io.queueEnqueue(startQueue(tf, task), List.of(message));
  }

  /** The worker's side: its own session on its own server, feeding its task's queue. */
  public static final class Feed implements AutoCloseable {
    private final Graph graph = new Graph();
    private final Session session;
    private final Placeholder<TInt64> update;
    private final Placeholder<TInt32> count;
    private final Placeholder<TUint8> images;
    private final Placeholder<TUint8> labels;
    private final Op enqueue;
    private final Operand<TType> start;

    /** Opens the queues of this task ({@code cluster.task()}), on its server, which must be serving. */
    public Feed(Cluster cluster) {
      Ops tf = Ops.create(graph).withDevice(cpu(cluster.task()));
      update = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
      count = tf.placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
      images = tf.placeholder(TUint8.class, Placeholder.shape(Shape.of(-1, -1, -1, -1)));
      labels = tf.placeholder(TUint8.class, Placeholder.shape(Shape.of(-1, -1, -1)));
      enqueue = tf.io.queueEnqueue(dataQueue(tf, cluster.task()), List.of(update, count, images, labels));
      start = tf.io.queueDequeue(startQueue(tf, cluster.task()), START).iterator().next();
      // Only this task: a session's master otherwise contacts every task of the cluster, and a
      // connection to a chief not yet up leaves the server's channel to it failing for a while.
      String self = "/job:" + Cluster.JOB + "/task:" + cluster.task();
      session = NativeSessions.open(graph, cluster.target(), ConfigProto.newBuilder().addDeviceFilters(self).build());
    }

    /** Blocks until the chief says where its run starts. */
    public Start awaitStart() {
      try (Result r = session.runner().fetch(start).run()) {
        long[] a = new long[Start.LENGTH];
        ((TInt64) r.get(0)).asRawTensor().data().asLongs().read(a);
        return Start.of(a);
      }
    }

    /** Enqueues this task's slice of update {@code update}; blocks while the queue is full. */
    public void put(long updateNumber, Batch slice) {
      boolean empty = slice.count() == 0;
      // An empty slice still sends one (blank) image: the replicas compute on image 0 with weight 0.
      TUint8 im = empty ? TUint8.tensorOf(Shape.of(1, slice.height(), slice.width(), slice.channels())) : slice.imageTensor();
      TUint8 lb = empty ? TUint8.tensorOf(Shape.of(1, slice.height(), slice.width())) : slice.labelTensor();
      try (TInt64 u = TInt64.scalarOf(updateNumber);
          TInt32 n = TInt32.scalarOf(slice.count())) {
        session.runner().feed(update, u).feed(count, n).feed(images, im).feed(labels, lb).addTarget(enqueue).run();
      } finally {
        if (empty) {
          im.close();
          lb.close();
        }
      }
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }
}
