package io.pixelwise.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chief and a worker as two processes on 127.0.0.1, each stopping by itself: the run equals the
 * one-process run on two devices (the same replicas and slices, over gRPC), whether the worker reads
 * its share of every batch itself ({@code cluster.input = shards}, the default) or the chief sends
 * it; a worker killed mid-run stops the chief with a resume hint, and the resumed run equals the
 * uninterrupted one; a worker whose data disagrees with the chief's stops the run.
 */
class ClusterEndToEndTest {
  private static final String RECIPE = Path.of("..", "conf", "synthetic-simple.conf").toAbsolutePath().toString();
  private static final List<String> SMALL = List.of(
      "--set", "data.height=32", "--set", "data.width=64",
      "--set", "datasets.synthetic-streets.train-size=12", "--set", "datasets.synthetic-streets.val-size=4",
      "--set", "train.batch-size=5", "--set", "eval.batch-size=4",
      "--set", "output.pictures=false", "--set", "output.tensorboard=false", "--set", "runtime.onednn=on");

  @TempDir Path temp;

  private Process start(String name, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    // The command, the small settings, then the test's own (later --set wins).
    command.add(args.get(0));
    command.addAll(SMALL);
    command.addAll(args.subList(1, args.size()));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(temp.resolve(name + ".log").toFile());
    pb.environment().put("TF_ENABLE_ONEDNN_OPTS", "1");
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    return pb.start();
  }

  private int await(Process p, String name) throws Exception {
    if (!p.waitFor(4, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(name + " did not stop by itself in 4 minutes:\n" + Files.readString(temp.resolve(name + ".log")));
    }
    return p.exitValue();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static List<String> cluster(String workers, int task, String... more) {
    List<String> sets = new ArrayList<>(List.of("--set", "cluster.workers=" + workers, "--set", "cluster.task-index=" + task,
        "--set", "cluster.worker-exit-after-seconds=2", "--set", "cluster.step-timeout-seconds=30"));
    for (String m : more) {
      sets.add("--set");
      sets.add(m);
    }
    return sets;
  }

  private static String workers() throws IOException {
    return "[\"127.0.0.1:" + freePort() + "\", \"127.0.0.1:" + freePort() + "\"]";
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** The one-process run on two CPU devices that a cluster run must equal. */
  private Path localRun(int epochs) throws Exception {
    Path local = temp.resolve("local");
    Process one = start("local", List.of("train", RECIPE, "--out", local.toString(), "--set", "train.epochs=" + epochs,
        "--set", "runtime.devices=[\"cpu:0\", \"cpu:1\"]"));
    assertEquals(0, await(one, "local"), () -> log("local"));
    return local;
  }

  /** A chief and a worker (given {@code workerSets} too) for {@code epochs} epochs; both must stop with 0. */
  private Path clusterRun(String name, int epochs, String input, String... workerSets) throws Exception {
    String workers = workers();
    Path run = temp.resolve(name);
    Process worker = start(name + "-worker", concat(List.of("worker", RECIPE), cluster(workers, 1, with(input, workerSets))));
    Process chief = start(name + "-chief", concat(List.of("train", RECIPE, "--out", run.toString(), "--set",
        "train.epochs=" + epochs), cluster(workers, 0, "cluster.input=" + input)));
    assertEquals(0, await(chief, name + "-chief"), () -> log(name + "-chief"));
    assertEquals(0, await(worker, name + "-worker"), () -> log(name + "-worker"));
    assertTrue(log(name + "-worker").contains("is gone: worker task 1 exits"), log(name + "-worker"));
    return run;
  }

  private static String[] with(String input, String... more) {
    List<String> all = new ArrayList<>(List.of("cluster.input=" + input));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  /** Per epoch, train_loss and val_loss within 1e-4 (relative) of each other's. */
  private static void assertSameLosses(Path expected, Path actual, int epochs) {
    Config a = ConfigFactory.parseFile(expected.resolve("metrics.json").toFile());
    Config b = ConfigFactory.parseFile(actual.resolve("metrics.json").toFile());
    assertEquals(epochs, b.getConfigList("epochs").size());
    for (int e = 0; e < epochs; e++) {
      for (String key : List.of("train_loss", "val_loss")) {
        double x = a.getConfigList("epochs").get(e).getDouble(key);
        double y = b.getConfigList("epochs").get(e).getDouble(key);
        assertEquals(x, y, 1e-4 * x, key + " of epoch " + (e + 1));
      }
    }
  }

  @Test
  void aChiefAndAWorkerTrainLikeOneProcessOnTwoDevices() throws Exception {
    Path local = localRun(2);
    // The worker reads its slices itself (the default), or the chief reads every batch and sends them.
    assertSameLosses(local, clusterRun("shards", 2, "shards"), 2);
    assertTrue(log("shards-worker").contains("epoch 2: read 5 train images"), log("shards-worker"));
    assertSameLosses(local, clusterRun("chief-reads", 2, "chief"), 2);
    assertTrue(!log("chief-reads-worker").contains("train images"), log("chief-reads-worker"));
  }

  /**
   * Proof that the worker's replica trains on what the worker read, not on anything from the
   * chief: given other scenes of the same size (another dataset seed, on the worker alone), the
   * run departs from the one where both read the same scenes, from the first epoch on.
   */
  @Test
  void theWorkersReplicaTrainsOnTheImagesTheWorkerRead() throws Exception {
    Path same = clusterRun("same", 1, "shards");
    Path other = clusterRun("other", 1, "shards", "datasets.synthetic-streets.seed=8");
    double a = ConfigFactory.parseFile(same.resolve("metrics.json").toFile()).getConfigList("epochs").get(0).getDouble("train_loss");
    double b = ConfigFactory.parseFile(other.resolve("metrics.json").toFile()).getConfigList("epochs").get(0).getDouble("train_loss");
    assertTrue(Math.abs(a - b) > 1e-3 * a, "train loss " + a + " with the chief's scenes, " + b + " with others");
    // 12 images in batches of 5, 5 and 2: the worker's slices hold 2, 2 and 1.
    assertTrue(log("other-worker").contains("epoch 1: read 5 train images"), log("other-worker"));
  }

  @Test
  void aWorkerWhoseDataDisagreesWithTheChiefsStopsTheRun() throws Exception {
    String workers = workers();
    Path run = temp.resolve("run");
    Process worker = start("worker", concat(List.of("worker", RECIPE),
        cluster(workers, 1, "datasets.synthetic-streets.train-size=13")));
    Process chief = start("chief", concat(List.of("train", RECIPE, "--out", run.toString(), "--set", "train.epochs=2"),
        cluster(workers, 0)));
    assertNotEquals(0, await(worker, "worker"), () -> log("worker") + log("chief"));
    assertTrue(log("worker").contains("train split has 13 images, the chief's 12"), log("worker"));
    assertNotEquals(0, await(chief, "chief"));
    assertTrue(log("chief").contains("a training step failed on the cluster"), log("chief"));
    assertTrue(log("chief").contains("train --resume " + run), log("chief"));
  }

  @Test
  void aDeadWorkerStopsTheRunWhichResumesOnceAWorkerIsBack() throws Exception {
    String workers = workers();
    Path run = temp.resolve("run");
    Process worker = start("worker1", concat(List.of("worker", RECIPE), cluster(workers, 1)));
    Process chief = start("chief1", concat(List.of("train", RECIPE, "--out", run.toString(), "--set", "train.epochs=6"),
        cluster(workers, 0)));
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!Files.exists(run.resolve("checkpoints/latest")) && chief.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(chief.isAlive(), () -> "the chief ended before the worker could be killed:\n" + log("chief1"));
    worker.destroyForcibly();
    worker.waitFor();
    assertNotEquals(0, await(chief, "chief1"));
    assertTrue(log("chief1").contains("train --resume " + run), log("chief1"));
    String stop = log("chief1").lines().filter(l -> l.startsWith("error:")).findFirst().orElse("");
    System.out.println("worker killed; the chief stopped with: " + stop);

    Process again = start("worker2", concat(List.of("worker", RECIPE), cluster(workers, 1)));
    Process resumed = start("chief2", List.of("train", "--resume", run.toString()));
    assertEquals(0, await(resumed, "chief2"), () -> log("chief2"));
    assertEquals(0, await(again, "worker2"), () -> log("worker2"));
    // The workers read their shards (the default): the new one starts where the resumed chief does.
    assertSameLosses(localRun(6), run, 6);
  }

  private String log(String name) {
    try {
      return Files.readString(temp.resolve(name + ".log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
