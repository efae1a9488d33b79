package io.pixelwise.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.engine.OneDnnChoice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** runtime.onednn, runtime.device and runtime.xla as the commands apply them. */
class EngineSettingsTest {
  private static final String RECIPE = Path.of("..", "conf", "synthetic-simple.conf").toAbsolutePath().toString();

  @TempDir Path temp;

  private static OneDnnChoice onednn(String... sets) {
    ConfigOptions options = new ConfigOptions();
    options.conf = RECIPE;
    options.sets.addAll(List.of(sets));
    return Setup.load(options).oneDnnChoice();
  }

  @Test
  void autoIsOnForTheBuiltInBackbonesAndExplicitSettingsWin() {
    // Neither built-in backbone states a preference: VGG16's reported ~11x slowdown with oneDNN did
    // not reproduce (docs/performance.md).
    OneDnnChoice vgg = onednn("model.backbone=vgg16", "model.head=fcn8");
    assertTrue(vgg.on(), vgg.reason());
    assertTrue(vgg.reason().startsWith("runtime.onednn = auto; backbone vgg16 states no preference"), vgg.reason());
    assertTrue(onednn().reason().contains("backbone simple-conv"));
    assertEquals(new OneDnnChoice(false, "runtime.onednn = off"), onednn("model.backbone=vgg16", "runtime.onednn=off"));
  }

  @Test
  void aGpuOnTheCpuBuildFailsBeforeAnyRunFolderSayingHowToBuildForGpus() {
    Path out = temp.resolve("run");
    CommandLineEndToEndTest.Result r =
        CommandLineEndToEndTest.main("train", RECIPE, "--out", out.toString(), "--set", "runtime.device=gpu");
    // The config is fine, this build cannot do it: status 1.
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("runtime.device = gpu:0: this build has TensorFlow's CPU natives only"), r.err());
    assertTrue(r.err().contains("mvn -B package -Pgpu -Dquick"), r.err());
    assertFalse(Files.exists(out));

    // A value that is no device at all is bad input (status 2), like any config error.
    r = CommandLineEndToEndTest.main("benchmark", RECIPE, "--set", "runtime.device=\"gpu:one\"");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("runtime.device: expected cpu, gpu or gpu:N (N = the GPU's index, 0 for the first), got 'gpu:one'"),
        r.err());
  }

  /**
   * java -jar with runtime.xla = on: the runner relaunches itself with the flag TensorFlow needs to
   * cluster CPU ops, and TensorFlow then compiles clusters with XLA while training.
   */
  @Test
  void xlaCompilesClustersWhenTrainingOnTheCpu() throws Exception {
    Path out = temp.resolve("xla");
    Path log = temp.resolve("xla.log");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "train", RECIPE, "--out", out.toString(),
        "--set", "runtime.xla=on", "--set", "runtime.onednn=on",
        "--set", "data.height=32", "--set", "data.width=64",
        "--set", "datasets.synthetic-streets.train-size=8", "--set", "datasets.synthetic-streets.val-size=4",
        "--set", "train.batch-size=4", "--set", "eval.batch-size=4", "--set", "train.max-steps=3",
        "--set", "output.pictures=false", "--set", "output.tensorboard=false"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("TF_ENABLE_ONEDNN_OPTS", "1");
    pb.environment().remove("TF_XLA_FLAGS");
    // TensorFlow's INFO lines report the compilation.
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "0");
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("training with XLA did not finish in 5 minutes");
    }
    String output = Files.readString(log);
    assertEquals(0, p.exitValue(), output);
    assertTrue(output.contains("XLA auto-clustering on (runtime.xla = on)"), output);
    assertTrue(output.contains("Compiled cluster using XLA"), output);
    assertTrue(Files.exists(out.resolve("metrics.json")), output);
  }
  /**
   * JavaCPP checks the whole process's memory against a limit it derives from the Java heap;
   * TensorFlow's tensors are native memory it does not manage, so a small -Xmx made runs fail. With
   * -Xmx24m its limit is 96 MB, below what TensorFlow alone takes: this run failed before the fix.
   */
  @Test
  void aSmallJavaHeapDoesNotLimitTensorFlowsNativeMemory() throws Exception {
    Path out = temp.resolve("small-heap");
    Path log = temp.resolve("small-heap.log");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx24m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "train", RECIPE, "--out", out.toString(),
        "--set", "data.height=32", "--set", "data.width=64",
        "--set", "datasets.synthetic-streets.train-size=8", "--set", "datasets.synthetic-streets.val-size=4",
        "--set", "train.batch-size=4", "--set", "eval.batch-size=4", "--set", "train.max-steps=2",
        "--set", "output.pictures=false", "--set", "output.tensorboard=false"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("training with -Xmx24m did not finish in 5 minutes");
    }
    String output = Files.readString(log);
    assertFalse(output.contains("Physical memory usage is too high"), output);
    assertEquals(0, p.exitValue(), output);
    assertTrue(Files.exists(out.resolve("metrics.json")), output);
  }
}
