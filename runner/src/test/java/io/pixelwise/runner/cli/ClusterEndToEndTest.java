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
 * one-process run on two devices (the same replicas and slices, over gRPC); a worker killed
 * mid-run stops the chief with a resume hint, and the run resumes once a worker is back.
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
    command.addAll(args);
    command.addAll(SMALL);
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

  @Test
  void aChiefAndAWorkerTrainLikeOneProcessOnTwoDevices() throws Exception {
    Path local = temp.resolve("local");
    Process one = start("local", List.of("train", RECIPE, "--out", local.toString(), "--set", "train.epochs=2",
        "--set", "runtime.devices=[\"cpu:0\", \"cpu:1\"]"));
    assertEquals(0, await(one, "local"), () -> log("local"));

    String workers = workers();
    Path run = temp.resolve("cluster");
    Process worker = start("worker", concat(List.of("worker", RECIPE), cluster(workers, 1)));
    Process chief = start("chief", concat(List.of("train", RECIPE, "--out", run.toString(), "--set", "train.epochs=2"),
        cluster(workers, 0)));
    assertEquals(0, await(chief, "chief"), () -> log("chief"));
    assertEquals(0, await(worker, "worker"), () -> log("worker"));
    assertTrue(log("worker").contains("is gone: worker task 1 exits"), log("worker"));

    Config a = ConfigFactory.parseFile(local.resolve("metrics.json").toFile());
    Config b = ConfigFactory.parseFile(run.resolve("metrics.json").toFile());
    for (int e = 0; e < 2; e++) {
      for (String key : List.of("train_loss", "val_loss")) {
        double x = a.getConfigList("epochs").get(e).getDouble(key);
        double y = b.getConfigList("epochs").get(e).getDouble(key);
        assertEquals(x, y, 1e-4 * x, key + " of epoch " + (e + 1));
      }
    }
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
    Config metrics = ConfigFactory.parseFile(run.resolve("metrics.json").toFile());
    assertEquals(6, metrics.getConfigList("epochs").size(), () -> log("chief2"));
  }

  private String log(String name) {
    try {
      return Files.readString(temp.resolve(name + ".log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
