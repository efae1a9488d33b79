package io.pixelwise.runner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pixelwise.engine.Device;
import io.pixelwise.engine.EngineOptions;
import io.pixelwise.engine.LossScale;
import io.pixelwise.engine.Precision;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.OptimizerOptions;
import org.tensorflow.proto.RewriterConfig;

/** {@code runtime.*} read into {@link EngineOptions}, and what those options make of TensorFlow's session. */
class RuntimeSettingsTest {
  private static final Config REFERENCE = ConfigFactory.defaultReference();

  private static RuntimeSettings runtime(String overrides) {
    return RuntimeSettings.from(ConfigFactory.parseString("runtime { " + overrides + " }").withFallback(REFERENCE));
  }

  private static EngineOptions read(String overrides) {
    return runtime(overrides).engine();
  }

  @Test
  void hugePagesAreAskedOfMallocKeepingTheTunablesAlreadySet() {
    EngineOptions on = read("");
    assertTrue(on.hugePages(), "on by default");
    assertEquals(Map.of("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1"), on.environment(Map.of()));
    assertEquals(Map.of("GLIBC_TUNABLES", "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"),
        on.environment(Map.of("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")));
    assertEquals(Map.of("GLIBC_TUNABLES", "glibc.malloc.hugetlb=0"),
        on.environment(Map.of("GLIBC_TUNABLES", "glibc.malloc.hugetlb=0")), "the user's own choice stays");
    assertEquals(Map.of(), read("huge-pages = off").environment(Map.of()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read("huge-pages = maybe"));
    assertEquals("runtime.huge-pages: expected on or off, got 'maybe'", e.getMessage());
  }

  @Test
  void largeModelsOnOneDnnRunOneOpAtATimeUnlessTheConfigSaysOtherwise() {
    long vgg16 = 134_000_000L;
    long simple = 600_000L;
    EngineOptions auto = read("");
    assertEquals(1, auto.interOpThreadsFor(vgg16, true));
    assertEquals(0, auto.interOpThreadsFor(simple, true), "small nets keep TensorFlow's choice");
    assertEquals(0, auto.interOpThreadsFor(vgg16, false), "Eigen's kernels keep TensorFlow's choice");
    assertEquals(3, read("inter-op-threads = 3").interOpThreadsFor(vgg16, true), "an explicit count wins");
    assertEquals(0, read("devices = [\"cpu:0\", \"cpu:1\"]").interOpThreadsFor(vgg16, true),
        "replicas must run side by side");
    assertEquals(0, read("device = gpu").interOpThreadsFor(vgg16, true));
    // The session configuration carries the count, and otherwise is the options' own.
    assertEquals(auto.sessionConfig().toBuilder().setInterOpParallelismThreads(1).build(), auto.sessionConfig(vgg16, true));
    assertEquals(auto.sessionConfig(), auto.sessionConfig(simple, true));
  }

  @Test
  void devicesParseAndBadOnesAreNamed() {
    assertEquals(Device.CPU, Device.parse("cpu"));
    assertEquals(new Device(true, 0), Device.parse("gpu"));
    assertEquals(new Device(true, 0), Device.parse("gpu:0"));
    assertEquals(new Device(true, 3), Device.parse(" GPU:3 "));
    assertEquals("gpu:3", Device.parse("gpu:3").toString());
    for (String bad : List.of("", "tpu", "gpu:", "gpu:x", "gpu:-1", "cpu:1", "gpu0", "cuda")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse(bad), bad);
      assertEquals("runtime.device: expected cpu, gpu or gpu:N (N = the GPU's index, 0 for the first), got '" + bad + "'",
          e.getMessage());
    }
  }

  @Test
  void theDefaultsLeaveTensorFlowAsItWasAndHideGpus() {
    EngineOptions defaults = read("");
    assertEquals(new EngineOptions(Device.CPU, List.of(), 0, 0, false, defaultPasses(), Precision.FLOAT32, true), defaults);
    ConfigProto c = defaults.sessionConfig();
    assertEquals(Map.of("GPU", 0), c.getDeviceCountMap());
    assertFalse(c.hasGraphOptions(), "no graph options unless asked for");
    assertFalse(c.hasGpuOptions());
    assertFalse(c.getAllowSoftPlacement());
    assertEquals(Map.of("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1"), defaults.environment(Map.of()), "huge pages only");
  }

  @Test
  void aGpuIsTheOnlyVisibleOneGrowsItsMemoryAndFallsBackToTheCpuPerOp() {
    ConfigProto c = read("device = \"gpu:1\", intra-op-threads = 3, inter-op-threads = 2").sessionConfig();
    assertTrue(c.getAllowSoftPlacement());
    assertTrue(c.getGpuOptions().getAllowGrowth());
    assertEquals("1", c.getGpuOptions().getVisibleDeviceList());
    assertEquals(Map.of(), c.getDeviceCountMap());
    assertEquals(3, c.getIntraOpParallelismThreads());
    assertEquals(2, c.getInterOpParallelismThreads());
    // The visible GPU is renumbered 0 inside TensorFlow, so that is where the graph goes.
    assertEquals("/device:GPU:0", Device.parse("gpu:1").placement().toString());
    assertEquals("/device:CPU:0", Device.CPU.placement().toString());
  }

  @Test
  void replicasOnGpusKeepTheDriversNumberingAndReplicasOnCpusHideGpus() {
    EngineOptions two = read("devices = [\"gpu:0\", \"gpu:2\"]");
    assertTrue(two.usesGpu());
    assertEquals(List.of("/device:GPU:0", "/device:GPU:2"), two.gpus().stream().map(Object::toString).toList());
    ConfigProto c = two.sessionConfig();
    assertTrue(c.getAllowSoftPlacement());
    assertTrue(c.getGpuOptions().getAllowGrowth());
    assertEquals("", c.getGpuOptions().getVisibleDeviceList());
    ConfigProto cpus = read("devices = [\"cpu:0\", \"cpu:1\"]").sessionConfig();
    assertEquals(Map.of("GPU", 0), cpus.getDeviceCountMap());
    assertEquals(List.of(), read("devices = [\"cpu:0\", \"cpu:1\"]").gpus());
    assertEquals(List.of("/device:GPU:0"), read("device = \"gpu:1\"").gpus().stream().map(Object::toString).toList());
    assertEquals("runtime.device = gpu:1 and runtime.devices = [/device:GPU:0, /device:GPU:1] both choose devices: list the"
            + " GPUs in runtime.devices alone (e.g. [\"gpu:0\", \"gpu:1\"]) and leave runtime.device = cpu",
        assertThrows(IllegalArgumentException.class, () -> read("device = \"gpu:1\", devices = [\"gpu:0\", \"gpu:1\"]"))
            .getMessage());
  }

  @Test
  void xlaSetsTheGlobalJitLevelAndOnTheCpuTheFlagTensorFlowReadsFromTheEnvironment() {
    EngineOptions xla = read("xla = on, huge-pages = off");
    assertEquals(OptimizerOptions.GlobalJitLevel.ON_1, xla.sessionConfig().getGraphOptions().getOptimizerOptions().getGlobalJitLevel());
    assertFalse(xla.sessionConfig().getGraphOptions().hasRewriteOptions());
    assertEquals(Map.of("TF_XLA_FLAGS", "--tf_xla_cpu_global_jit"), xla.environment(Map.of()));
    assertEquals(Map.of("TF_XLA_FLAGS", "--tf_xla_clustering_debug --tf_xla_cpu_global_jit"),
        xla.environment(Map.of("TF_XLA_FLAGS", "--tf_xla_clustering_debug")));
    assertEquals(Map.of("TF_XLA_FLAGS", "--tf_xla_cpu_global_jit"), xla.environment(Map.of("TF_XLA_FLAGS", "--tf_xla_cpu_global_jit")));
    // A GPU clusters through the session config alone.
    assertEquals(Map.of(), read("xla = on, device = gpu, huge-pages = off").environment(Map.of()));
  }

  @Test
  void graphOptimizationSwitchesReachTheRewriterConfig() {
    RewriterConfig r =
        read("graph-optimizations { remapping = off, constant-folding = on, layout = off }").sessionConfig().getGraphOptions().getRewriteOptions();
    assertEquals(RewriterConfig.Toggle.OFF, r.getRemapping());
    assertEquals(RewriterConfig.Toggle.ON, r.getConstantFolding());
    assertEquals(RewriterConfig.Toggle.OFF, r.getLayoutOptimizer());
    assertEquals(RewriterConfig.Toggle.DEFAULT, r.getArithmeticOptimization());
  }

  @Test
  void eachPrecisionSwitchesOnItsOwnRewriteAndNothingElse() {
    assertFalse(read("precision = float32").sessionConfig().hasGraphOptions(), "float32 leaves TensorFlow's defaults");
    RewriterConfig gpu = read("precision = mixed-float16, device = gpu").sessionConfig().getGraphOptions().getRewriteOptions();
    RewriterConfig bf16 = read("precision = mixed-bfloat16").sessionConfig().getGraphOptions().getRewriteOptions();
    RewriterConfig emulated = read("precision = mixed-float16-emulated").sessionConfig().getGraphOptions().getRewriteOptions();
    RewriterConfig replicas =
        read("precision = mixed-float16, devices = [\"gpu:0\", \"gpu:1\"]").sessionConfig().getGraphOptions().getRewriteOptions();
    for (RewriterConfig r : List.of(gpu, replicas)) {
      assertEquals(RewriterConfig.Toggle.ON, r.getAutoMixedPrecision());
      assertEquals(RewriterConfig.Toggle.DEFAULT, r.getAutoMixedPrecisionOnednnBfloat16());
      assertEquals(RewriterConfig.Toggle.DEFAULT, r.getAutoMixedPrecisionCpu());
    }
    assertEquals(RewriterConfig.Toggle.ON, bf16.getAutoMixedPrecisionOnednnBfloat16());
    assertEquals(RewriterConfig.Toggle.DEFAULT, bf16.getAutoMixedPrecision());
    assertEquals(RewriterConfig.Toggle.DEFAULT, bf16.getAutoMixedPrecisionCpu());
    assertEquals(RewriterConfig.Toggle.ON, emulated.getAutoMixedPrecisionCpu());
    assertEquals(RewriterConfig.Toggle.DEFAULT, emulated.getAutoMixedPrecision());
    assertEquals(RewriterConfig.Toggle.DEFAULT, emulated.getAutoMixedPrecisionOnednnBfloat16());
    // The other passes stay TensorFlow's: the layout optimizer (NHWC to NCHW on GPUs) included.
    for (RewriterConfig r : List.of(gpu, bf16, emulated)) {
      assertEquals(RewriterConfig.Toggle.DEFAULT, r.getLayoutOptimizer());
      assertEquals(RewriterConfig.Toggle.DEFAULT, r.getRemapping());
    }
    // With a pass switched as well, both reach the config.
    RewriterConfig both = read("precision = mixed-float16, device = gpu, graph-optimizations.layout = off")
        .sessionConfig().getGraphOptions().getRewriteOptions();
    assertEquals(RewriterConfig.Toggle.ON, both.getAutoMixedPrecision());
    assertEquals(RewriterConfig.Toggle.OFF, both.getLayoutOptimizer());
    assertEquals(Precision.FLOAT32, read("").precision());
    assertEquals(Precision.MIXED_FLOAT16, read("precision = \" Mixed-Float16 \", device = gpu").precision());
  }

  @Test
  void aPrecisionTheDevicesCannotRunIsRefusedWithTheReason() {
    assertEquals("runtime.precision: expected float32, mixed-float16, mixed-bfloat16, mixed-float16-emulated, got 'fp16'",
        assertThrows(IllegalArgumentException.class, () -> read("precision = fp16")).getMessage());
    String cpu16 = assertThrows(IllegalArgumentException.class, () -> read("precision = mixed-float16")).getMessage();
    assertTrue(cpu16.startsWith("runtime.precision = mixed-float16 needs a GPU: TensorFlow rewrites to float16 only the ops"
        + " placed on a GPU"), cpu16);
    assertTrue(cpu16.endsWith("On the CPU set runtime.precision = float32, mixed-bfloat16 (oneDNN), or mixed-float16-emulated"
        + " (to check float16 numerics and loss scaling)"), cpu16);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> read("precision = mixed-float16, devices = [\"cpu:0\", \"cpu:1\"]"))
        .getMessage().startsWith("runtime.precision = mixed-float16 needs a GPU"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> read("precision = mixed-bfloat16, device = \"gpu:1\""))
        .getMessage().startsWith("runtime.precision = mixed-bfloat16 runs on the CPU only"));
    assertEquals("runtime.precision = mixed-float16-emulated emulates float16 on the CPU only; on a GPU use mixed-float16 or float32",
        assertThrows(IllegalArgumentException.class, () -> read("precision = mixed-float16-emulated, devices = [\"gpu:0\"]"))
            .getMessage());
  }

  @Test
  void fastBfloat16NeedsAvx512OrAvxNeConvertInTheCpuFlags() {
    String avx2 = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma f16c\n\nprocessor\t: 1\nflags\t\t: fpu sse2 avx avx2\n";
    assertFalse(Precision.fastBfloat16(avx2));
    assertTrue(Precision.fastBfloat16("flags\t\t: fpu avx2 avx512f avx512bw avx512_bf16\n"));
    assertTrue(Precision.fastBfloat16("flags\t\t: fpu avx2 avx_ne_convert avx_vnni\n"));
    assertFalse(Precision.fastBfloat16("flags\t\t: avx512_bf16_not avx2 avx2\n"), "a flag counts whole");
    assertTrue(Precision.fastBfloat16(""), "unknown (no /proc/cpuinfo): TensorFlow decides");
  }

  @Test
  void bfloat16IsRefusedWhereOneDnnHasNoKernelsForIt() {
    String avx512 = "flags\t\t: fpu avx2 avx512f avx512bw\n";
    assertNull(Precision.bfloat16Unsupported(avx512, null));
    assertNull(Precision.bfloat16Unsupported(avx512, "AVX512_CORE"));
    assertNull(Precision.bfloat16Unsupported(avx512, "avx512_core_bf16"));
    assertEquals("ONEDNN_MAX_CPU_ISA=avx2 keeps oneDNN below AVX-512, where it has no bfloat16 kernels",
        Precision.bfloat16Unsupported(avx512, "avx2"));
    assertEquals("this CPU has neither AVX-512 nor AVX-NE-CONVERT, which oneDNN's bfloat16 kernels need",
        Precision.bfloat16Unsupported("flags\t\t: fpu avx2\n", null));
  }

  @Test
  void lossScaleSettingsAreChecked() {
    assertEquals(new LossScale(32768f, 2000), runtime("").lossScale());
    assertEquals("runtime.loss-scale.initial: expected a finite number >= 1 (32768 is the usual start), got 0.5",
        assertThrows(IllegalArgumentException.class,
            () -> runtime("loss-scale.initial = 0.5")).getMessage());
    assertEquals("runtime.loss-scale.initial: expected a finite number >= 1 (32768 is the usual start), got Infinity",
        assertThrows(IllegalArgumentException.class,
            () -> runtime("loss-scale.initial = 1e40")).getMessage());
    assertEquals("runtime.loss-scale.growth-steps: expected 1 or more, got 0",
        assertThrows(IllegalArgumentException.class,
            () -> runtime("loss-scale.growth-steps = 0")).getMessage());
  }

  @Test
  void badValuesNameTheirKey() {
    assertEquals("runtime.xla: expected on or off, got 'yes'",
        assertThrows(IllegalArgumentException.class, () -> read("xla = yes")).getMessage());
    assertEquals("runtime.graph-optimizations.remapping: expected default, on or off, got 'fast'",
        assertThrows(IllegalArgumentException.class, () -> read("graph-optimizations.remapping = fast")).getMessage());
    assertEquals("runtime.graph-optimizations.pruning: unknown pass; expected one of constant-folding, remapping, arithmetic, layout",
        assertThrows(IllegalArgumentException.class, () -> read("graph-optimizations.pruning = off")).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> read("intra-op-threads = -1")).getMessage()
        .startsWith("runtime.intra-op-threads and runtime.inter-op-threads: expected 0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> read("device = tpu")).getMessage().startsWith("runtime.device:"));
  }

  private static Map<String, RewriterConfig.Toggle> defaultPasses() {
    Map<String, RewriterConfig.Toggle> m = new java.util.LinkedHashMap<>();
    EngineOptions.PASSES.keySet().forEach(k -> m.put(k, RewriterConfig.Toggle.DEFAULT));
    return m;
  }
}
