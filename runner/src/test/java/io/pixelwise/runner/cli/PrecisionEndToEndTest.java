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
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.pixelwise.engine.Precision;
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

  /** Op types TensorFlow's oneDNN bfloat16 rewrite may convert in this model's training graph. */
  private static final Set<String> CONVERTIBLE = Set.of(
      "Conv2D", "Conv2DBackpropFilter", "Conv2DBackpropInput", "BiasAdd", "Relu", "ReluGrad", "MaxPool",
      "MaxPoolGrad", "AddN", "Identity", "Reshape", "EnsureShape", "Shape", "ResizeBilinear",
      // A sum over batch and pixels, but TensorFlow's CPU kernel accumulates bfloat16 in float32
      // (bias_op.cc: AccumulatorType<T>); it is an output of bfloat16 gradients either way.
      "BiasAddGrad");
  /** Graph scopes that must stay float32: the loss, the objective (weight decay), the optimizer, the outputs. */
  private static final List<String> FLOAT32_SCOPES = List.of("loss/", "objective/", "optimizer/", "output/");

  /**
   * mixed-bfloat16 in a JVM started with oneDNN on (TensorFlow reads TF_ENABLE_ONEDNN_OPTS at load):
   * the rewrite converts the convolutions and the ops between them, nothing of the loss, softmax,
   * objective or optimizer (read from TensorFlow's own log of each node it converts), and the
   * training follows float32's: each epoch's loss within 3% of the same run in float32 (0.5% here).
   * That holds wherever oneDNN has bfloat16 kernels (AVX-512 or AVX-NE-CONVERT, native or
   * emulated); elsewhere the runner refuses the setting (tested below).
   */
  @Test
  void bfloat16ThroughOneDnnConvertsOnlyTheNetworkAndTrainsLikeFloat32() throws Exception {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    String unsupported = Precision.bfloat16Unsupported(
        Files.isReadable(cpuinfo) ? Files.readString(cpuinfo) : "", System.getenv("ONEDNN_MAX_CPU_ISA"));
    Assumptions.assumeTrue(unsupported == null, unsupported);

    Path float32 = temp.resolve("f32");
    child(float32, Map.of(), "--set", "runtime.precision=float32", "--set", "runtime.onednn=on");
    Path bf16 = temp.resolve("bf16");
    String output = child(bf16, Map.of("TF_CPP_VMODULE", "auto_mixed_precision=1"),
        "--set", "runtime.precision=mixed-bfloat16", "--set", "runtime.onednn=on");
    assertTrue(output.contains("precision mixed-bfloat16"), output);

    Matcher changed = Pattern.compile("Changing type T of (\\w+) node (\\S+) to bfloat16").matcher(output);
    Set<String> types = new TreeSet<>();
    List<String> wrong = new ArrayList<>();
    while (changed.find()) {
      types.add(changed.group(1));
      String node = changed.group(2);
      if (!CONVERTIBLE.contains(changed.group(1)) || FLOAT32_SCOPES.stream().anyMatch(node::startsWith)) {
        wrong.add(changed.group(1) + " " + node);
      }
    }
    assertTrue(types.containsAll(Set.of("Conv2D", "Conv2DBackpropFilter", "Conv2DBackpropInput")), types.toString());
    assertEquals(List.of(), wrong, "converted to bfloat16 but must stay float32");

    List<? extends Config> reference = epochs(float32);
    List<? extends Config> epochs = epochs(bf16);
    assertEquals(reference.size(), epochs.size());
    for (int e = 0; e < epochs.size(); e++) {
      double want = reference.get(e).getDouble("train_loss");
      double got = epochs.get(e).getDouble("train_loss");
      assertEquals(want, got, 0.03 * want, "epoch " + (e + 1) + " train loss, float32 " + want + " against bfloat16 " + got);
    }
    assertTrue(epochs.get(2).getDouble("train_loss") < epochs.get(0).getDouble("train_loss"), epochs.toString());
    assertFalse(epochs.get(0).hasPath("loss_scale"), "bfloat16 needs no loss scaling");
  }

  @Test
  void bfloat16IsRefusedWhereOneDnnHasNoKernelsForIt() throws Exception {
    // Capping oneDNN at AVX2 is how it behaves on a CPU without AVX-512: before the refusal the
    // first bfloat16 convolution aborted the JVM ("could not create a primitive descriptor").
    Path out = temp.resolve("avx2");
    Process p = start(out, Map.of("ONEDNN_MAX_CPU_ISA", "AVX2"),
        "--set", "runtime.precision=mixed-bfloat16", "--set", "runtime.onednn=on");
    String output = finish(p, out.resolveSibling("avx2.log"));
    assertEquals(2, p.exitValue(), output);
    assertTrue(output.contains("runtime.precision = mixed-bfloat16 cannot run here: ONEDNN_MAX_CPU_ISA=AVX2 keeps oneDNN"
        + " below AVX-512, where it has no bfloat16 kernels; set runtime.precision = float32"), output);
    assertFalse(Files.exists(out));
  }

  /** Trains the small recipe in a child JVM with oneDNN on; returns its output, failing unless it exits 0. */
  private String child(Path out, Map<String, String> env, String... settings) throws Exception {
    Process p = start(out, env, settings);
    String output = finish(p, out.resolveSibling(out.getFileName() + ".log"));
    assertEquals(0, p.exitValue(), output);
    return output;
  }

  private Process start(Path out, Map<String, String> env, String... settings) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    List<String> rest = new ArrayList<>(List.of("--out", out.toString()));
    rest.addAll(List.of(settings));
    command.addAll(List.of(args("train", rest.toArray(String[]::new))));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(out.resolveSibling(out.getFileName() + ".log").toFile());
    pb.environment().put("TF_ENABLE_ONEDNN_OPTS", "1");
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "0");
    pb.environment().putAll(env);
    return pb.start();
  }

  private static String finish(Process p, Path log) throws Exception {
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("the child JVM did not finish in 5 minutes:\n" + Files.readString(log));
    }
    return Files.readString(log);
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
