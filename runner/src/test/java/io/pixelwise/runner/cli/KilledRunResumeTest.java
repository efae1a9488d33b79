package io.pixelwise.runner.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real training process killed with SIGKILL after its first checkpoint, then resumed, ends with
 * weights bit-identical to those of an uninterrupted run.
 */
class KilledRunResumeTest {
  private static final String RECIPE = Path.of("..", "conf", "synthetic-simple.conf").toAbsolutePath().toString();
  private static final List<String> SMALL = List.of(
      "--set", "data.height=32", "--set", "data.width=64",
      "--set", "datasets.synthetic-streets.train-size=24", "--set", "datasets.synthetic-streets.val-size=8",
      "--set", "train.epochs=10", "--set", "train.batch-size=8", "--set", "eval.batch-size=8",
      "--set", "output.pictures=false", "--set", "output.tensorboard=false",
      "--set", "runtime.onednn=on");

  @TempDir Path temp;

  /** The runner in a child JVM, with the environment it wants already set (so it does not re-launch). */
  private Process start(List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(temp.resolve("child-" + System.nanoTime() + ".log").toFile());
    pb.environment().put("TF_ENABLE_ONEDNN_OPTS", "1");
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    return pb.start();
  }

  private static int await(Process p) throws InterruptedException {
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("child training did not finish in 5 minutes");
    }
    return p.exitValue();
  }

  private List<String> train(Path out) {
    List<String> args = new ArrayList<>(List.of("train", RECIPE, "--out", out.toString()));
    args.addAll(SMALL);
    return args;
  }

  @Test
  void aRunKilledWithSigkillResumesToTheSameWeights() throws Exception {
    Path full = temp.resolve("full");
    assertEquals(0, await(start(train(full))));

    Path killed = temp.resolve("killed");
    Process victim = start(train(killed));
    Path latest = killed.resolve("checkpoints/latest");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!Files.exists(latest) && victim.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    // Then a random moment later: mid-step, mid-evaluation or mid-checkpoint, all must resume.
    Thread.sleep(new java.util.Random().nextInt(600));
    assertTrue(victim.isAlive(), "the run ended before it could be killed");
    victim.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no cleanup
    victim.waitFor();
    String killedAt = Files.readString(latest).trim();

    assertEquals(0, await(start(List.of("train", "--resume", killed.toString()))));

    String last = "step-0000030.data-00000-of-00001";
    assertArrayEquals(Files.readAllBytes(full.resolve("checkpoints").resolve(last)),
        Files.readAllBytes(killed.resolve("checkpoints").resolve(last)),
        "killed at " + killed + " (" + killedAt + ") and resumed: weights differ from the uninterrupted run");
    System.out.printf("killed after %s, resumed to step 30 with bit-identical weights%n", killedAt);
  }
}
