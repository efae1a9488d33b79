package io.pixelwise.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.pixelwise.runner.engine.Precision;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** runtime.precision through the commands: what trains on the CPU, and what is refused. */
class PrecisionEndToEndTest {
  private static final String RECIPE = Path.of("..", "conf", "synthetic-simple.conf").toAbsolutePath().toString();
  private static final List<String> SMALL = List.of(
      "--set", "data.height=32", "--set", "data.width=64",
      "--set", "datasets.synthetic-streets.train-size=32", "--set", "datasets.synthetic-streets.val-size=8",
      "--set", "train.epochs=3", "--set", "train.batch-size=8", "--set", "eval.batch-size=8",
      "--set", "optimizer.learning-rate=3e-3", "--set", "output.pictures=false", "--set", "output.tensorboard=false");

  @TempDir Path temp;

  private static String[] args(String command, String... rest) {
    List<String> all = new ArrayList<>(List.of(command, RECIPE));
    all.addAll(SMALL);
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
  }

  private static List<? extends Config> epochs(Path run) {
    return ConfigFactory.parseFile(run.resolve("metrics.json").toFile()).getConfigList("epochs");
  }

  @Test
  void emulatedFloat16SkipsOverflowingStepsUntilTheScaleFitsAndTrains() {
    Path run = temp.resolve("fp16");
    // 2^24: the float16 gradients of this model overflow until the scale has been halved several times.
    double initial = Math.pow(2, 24);
    CommandLineEndToEndTest.Result r = CommandLineEndToEndTest.main(args("train", "--out", run.toString(),
        "--set", "train.batch-size=4", "--set", "train.epochs=4",
        "--set", "runtime.precision=mixed-float16-emulated", "--set", "runtime.loss-scale.initial=" + (long) initial));
    assertEquals(0, r.status(), r.err());
    List<? extends Config> epochs = epochs(run);
    StringBuilder summary = new StringBuilder();
    for (Config e : epochs) {
      summary.append(String.format("epoch %d: scale %.0f, skipped %d, train %.4f, val %.4f%n", e.getInt("epoch"),
          e.getDouble("loss_scale"), e.getInt("skipped_steps"), e.getDouble("train_loss"), e.getDouble("val_loss")));
    }
    assertEquals(4, epochs.size(), summary.toString());
    int skipped = 0;
    for (Config e : epochs) {
      skipped += e.getInt("skipped_steps");
      // Growth needs 2000 finite steps: each skip halved the scale, nothing else moved it.
      assertEquals(initial / Math.pow(2, skipped), e.getDouble("loss_scale"), 0, summary.toString());
    }
    assertTrue(epochs.get(0).getInt("skipped_steps") > 0, summary.toString());
    assertEquals(0, epochs.get(3).getInt("skipped_steps"), summary.toString());
    assertTrue(epochs.get(3).getDouble("val_loss") < 0.9 * epochs.get(0).getDouble("val_loss"), summary.toString());

    // The checkpoint holds the scale; evaluate, which needs none, reads the same checkpoint.
    CommandLineEndToEndTest.Result eval = CommandLineEndToEndTest.main(args("evaluate", "--checkpoint", run.toString(),
        "--set", "runtime.precision=mixed-float16-emulated"));
    assertEquals(0, eval.status(), eval.err());
  }

  /**
   * mixed-bfloat16 in a JVM started with oneDNN on (TensorFlow reads TF_ENABLE_ONEDNN_OPTS at load):
   * TensorFlow's INFO log reports the nodes its rewrite converted, and the model trains. oneDNN has
   * bfloat16 kernels for CPUs with AVX-512 or AVX-NE-CONVERT only (elsewhere TensorFlow falls back
   * to slow reference kernels and the runner warns), so that is where this runs.
   */
  @Test
  void bfloat16ThroughOneDnnConvertsTheConvolutionsAndTrains() throws Exception {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    Assumptions.assumeTrue(Precision.fastBfloat16(Files.isReadable(cpuinfo) ? Files.readString(cpuinfo) : ""),
        "this CPU has neither AVX-512 nor AVX-NE-CONVERT");
    Path out = temp.resolve("bf16");
    Path log = temp.resolve("bf16.log");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args("train", "--out", out.toString(), "--set", "runtime.precision=mixed-bfloat16",
        "--set", "runtime.onednn=on")));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("TF_ENABLE_ONEDNN_OPTS", "1");
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "0");
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("training with bfloat16 did not finish in 5 minutes");
    }
    String output = Files.readString(log);
    assertEquals(0, p.exitValue(), output);
    assertTrue(output.contains("precision mixed-bfloat16"), output);
    Matcher converted = Pattern.compile("Converted (\\d+)/\\d+ nodes to bfloat16 precision").matcher(output);
    assertTrue(converted.find(), output);
    assertTrue(Integer.parseInt(converted.group(1)) >= 4, converted.group());
    List<? extends Config> epochs = epochs(out);
    assertTrue(epochs.get(2).getDouble("train_loss") < epochs.get(0).getDouble("train_loss"), epochs.toString());
    assertFalse(epochs.get(0).hasPath("loss_scale"), "bfloat16 needs no loss scaling");
  }

  @Test
  void whatCannotRunIsRefusedBeforeAnyRunFolder() {
    Path out = temp.resolve("refused");
    CommandLineEndToEndTest.Result r =
        CommandLineEndToEndTest.main(args("train", "--out", out.toString(), "--set", "runtime.precision=mixed-float16"));
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("runtime.precision = mixed-float16 needs a GPU"), r.err());

    r = CommandLineEndToEndTest.main(args("train", "--out", out.toString(), "--set", "runtime.precision=mixed-bfloat16",
        "--set", "runtime.onednn=off"));
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("runtime.precision = mixed-bfloat16 needs oneDNN, which TensorFlow's bfloat16 rewrite runs on,"
        + " but it is off (runtime.onednn = off)"), r.err());

    r = CommandLineEndToEndTest.main(args("train", "--out", out.toString(), "--set", "runtime.precision=half"));
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("runtime.precision: expected float32, mixed-float16, mixed-bfloat16, mixed-float16-emulated, got 'half'"),
        r.err());

    r = CommandLineEndToEndTest.main(args("train", "--out", out.toString(), "--set", "runtime.loss-scale.growth-steps=0"));
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("runtime.loss-scale.growth-steps: expected 1 or more, got 0"), r.err());
    assertFalse(Files.exists(out));
  }
}
