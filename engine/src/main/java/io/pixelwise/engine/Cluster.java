package io.pixelwise.engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Server;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.JobDef;
import org.tensorflow.proto.ServerDef;

/**
 * The {@code cluster} section: TensorFlow servers, one per task of the job {@code worker}, that one
 * training step is replicated over. Task 0 is the chief: it runs {@code train}, holds the
 * variables and writes checkpoints, metrics and logs; the other tasks run {@code worker} and
 * compute their replicas' share of each step (in-graph replication: the chief's session targets
 * its own server, which runs the graph's partitions on the others). Each task reads its replicas'
 * share of every batch ({@code input = shards}, see {@link Shards}), or the chief reads them all.
 */
public final class Cluster {
  /** The job name of every task, as in device names: /job:worker/task:N. */
  public static final String JOB = "worker";

  private static final Map<String, Server> STARTED = new HashMap<>();

  private final List<String> workers;
  private final int task;
  private final long stepTimeoutMs;
  private final long exitAfterMs;
  private final boolean shards;

  private Cluster(List<String> workers, int task, long stepTimeoutMs, long exitAfterMs, boolean shards) {
    this.shards = shards;
    this.workers = List.copyOf(workers);
    this.task = task;
    this.stepTimeoutMs = stepTimeoutMs;
    this.exitAfterMs = exitAfterMs;
  }

  /**
   * The {@code cluster} section's values, checked; empty when it lists no workers (one process).
   *
   * @param input {@code shards} (each worker reads its share of every batch) or {@code chief}
   * @throws IllegalArgumentException naming the key and value that are wrong
   */
  public static Optional<Cluster> of(
      List<String> workers, int task, double timeout, double exitAfter, String input) {
    if (workers.isEmpty()) {
      return Optional.empty();
    }
    for (int i = 0; i < workers.size(); i++) {
      String w = workers.get(i);
      int colon = w.lastIndexOf(':');
      boolean ok = colon > 0;
      if (ok) {
        try {
          int port = Integer.parseInt(w.substring(colon + 1));
          ok = port > 0 && port < 65536;
        } catch (NumberFormatException e) {
          ok = false;
        }
      }
      if (!ok) {
        throw new IllegalArgumentException(
            "cluster.workers[" + i + "]: '" + w + "' is not host:port, e.g. \"10.0.0.2:2222\"");
      }
    }
    if (workers.stream().distinct().count() != workers.size()) {
      throw new IllegalArgumentException("cluster.workers lists an address twice: " + workers);
    }
    if (task < 0 || task >= workers.size()) {
      throw new IllegalArgumentException(
          "cluster.task-index = " + task + ": expected 0 (the chief) to " + (workers.size() - 1) + " for the "
              + workers.size() + " cluster.workers");
    }
    if (!(timeout > 0) || !(exitAfter > 0)) {
      throw new IllegalArgumentException(
          "cluster.step-timeout-seconds and cluster.worker-exit-after-seconds must be > 0, got " + timeout + " and "
              + exitAfter);
    }
    if (!input.equals("shards") && !input.equals("chief")) {
      throw new IllegalArgumentException(
          "cluster.input: expected shards (each worker reads its share of every batch) or chief (the chief reads"
              + " every batch), got '" + input + "'");
    }
    return Optional.of(
        new Cluster(workers, task, (long) (timeout * 1000), (long) (exitAfter * 1000), input.equals("shards")));
  }

  public int task() {
    return task;
  }

  public boolean chief() {
    return task == 0;
  }

  public List<String> workers() {
    return workers;
  }

  /** {@code cluster.input = shards}: every worker reads its replicas' share of each batch itself. */
  public boolean readsShards() {
    return shards;
  }

  /**
   * One replica per task and local device: {@code /job:worker/task:T/device:D} for every task T
   * and every D of {@code local} ({@code runtime.devices}, each task's own), or CPU:0 if none.
   */
  public List<DeviceSpec> replicaDevices(List<DeviceSpec> local) {
    List<DeviceSpec> devices = new ArrayList<>();
    for (int t = 0; t < workers.size(); t++) {
      if (local.isEmpty()) {
        devices.add(DeviceSpec.newBuilder().job(JOB).task(t).deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(0).build());
      }
      for (DeviceSpec d : local) {
        devices.add(DeviceSpec.newBuilder().job(JOB).task(t).deviceType(d.deviceType()).deviceIndex(d.deviceIndex()).build());
      }
    }
    return devices;
  }

  /**
   * Starts this task's TensorFlow server (once per process: TensorFlow's gRPC server cannot be
   * stopped cleanly, it ends with the process), exposing the CPU devices {@code local} needs.
   */
  public synchronized Server serve(List<DeviceSpec> local) {
    String key = workers + "#" + task;
    synchronized (STARTED) {
      Server server = STARTED.get(key);
      if (server == null) {
        ConfigProto.Builder config = ConfigProto.newBuilder();
        int cpus = Devices.localCpuDevices(local);
        if (cpus > 1) {
          config.putDeviceCount("CPU", cpus);
        }
        JobDef.Builder job = JobDef.newBuilder().setName(JOB);
        for (int t = 0; t < workers.size(); t++) {
          job.putTasks(t, workers.get(t));
        }
        ServerDef def =
            ServerDef.newBuilder()
                .setCluster(ClusterDef.newBuilder().addJob(job))
                .setJobName(JOB)
                .setTaskIndex(task)
                .setProtocol("grpc")
                .setDefaultSessionConfig(config)
                .build();
        try {
          server = new Server(def);
          server.start();
        } catch (RuntimeException e) {
          throw new IllegalStateException(
              "cannot start the TensorFlow server of cluster task " + task + " at " + workers.get(task)
                  + " (is the port in use?): " + e.getMessage(), e);
        }
        STARTED.put(key, server);
      }
      return server;
    }
  }

  /** The session target of this task's server. */
  public String target() {
    String address = workers.get(task);
    return "grpc://localhost:" + address.substring(address.lastIndexOf(':') + 1);
  }

  /** The deadline of one step, after which a dead or unreachable worker stops the run. */
  public long stepTimeoutMs() {
    return stepTimeoutMs;
  }

  /**
   * Blocks while the chief is reachable, or not yet reachable: returns once it has been
   * unreachable for {@code worker-exit-after-seconds} after it was reachable once (the run ended,
   * or the chief died).
   */
  public void awaitChiefGone() throws InterruptedException {
    String chief = workers.get(0);
    String host = chief.substring(0, chief.lastIndexOf(':'));
    int port = Integer.parseInt(chief.substring(chief.lastIndexOf(':') + 1));
    boolean seen = false;
    long goneSince = -1;
    while (true) {
      boolean up;
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), 1000);
        up = true;
      } catch (IOException e) {
        up = false;
      }
      long now = System.nanoTime();
      if (up) {
        seen = true;
        goneSince = -1;
      } else if (seen) {
        if (goneSince < 0) {
          goneSince = now;
        } else if ((now - goneSince) / 1_000_000 >= exitAfterMs) {
          return;
        }
      }
      Thread.sleep(Math.min(500, Math.max(50, exitAfterMs / 4)));
    }
  }
}
