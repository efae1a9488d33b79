package io.pixelwise.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.tensorflow.DeviceSpec;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.OptimizerOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * How TensorFlow runs a graph ({@code runtime.*}): the device, thread pools, XLA, the
 * Grappler passes that may be switched and the precision (mixed precision is a Grappler rewrite).
 *
 * @param device {@code runtime.device}, used when {@code replicas} is empty
 * @param replicas {@code runtime.devices}: the devices training is replicated over, empty for one
 * @param intraOpThreads 0 lets TensorFlow choose
 * @param interOpThreads 0 lets TensorFlow choose
 * @param xla XLA auto-clustering (global JIT)
 * @param graphOptimizations Grappler pass (a key of {@link #PASSES}) to on, off or default
 * @param precision {@code runtime.precision}: TensorFlow's mixed-precision rewrite, if any
 */
public record EngineOptions(
    Device device,
    List<DeviceSpec> replicas,
    int intraOpThreads,
    int interOpThreads,
    boolean xla,
    Map<String, RewriterConfig.Toggle> graphOptimizations,
    Precision precision,
    boolean hugePages) {

  /** The Grappler passes {@code runtime.graph-optimizations} switches, by config key. */
  public static final Map<String, BiConsumer<RewriterConfig.Builder, RewriterConfig.Toggle>> PASSES = new LinkedHashMap<>();

  static {
    PASSES.put("constant-folding", RewriterConfig.Builder::setConstantFolding);
    PASSES.put("remapping", RewriterConfig.Builder::setRemapping);
    PASSES.put("arithmetic", RewriterConfig.Builder::setArithmeticOptimization);
    PASSES.put("layout", RewriterConfig.Builder::setLayoutOptimizer);
  }

  /** Everything TensorFlow's defaults, on the CPU. */
  public static final EngineOptions DEFAULT = new EngineOptions(Device.CPU, List.of(), 0, 0, false, Map.of());

  /** float32 options, malloc's pages left as they are. */
  public EngineOptions(
      Device device, List<DeviceSpec> replicas, int intraOpThreads, int interOpThreads, boolean xla,
      Map<String, RewriterConfig.Toggle> graphOptimizations) {
    this(device, replicas, intraOpThreads, interOpThreads, xla, graphOptimizations, Precision.FLOAT32, false);
  }

  public EngineOptions {
    if (device.gpu() && !replicas.isEmpty()) {
      throw new IllegalArgumentException(
          "runtime.device = " + device + " and runtime.devices = " + replicas + " both choose devices: list the GPUs"
              + " in runtime.devices alone (e.g. [\"gpu:0\", \"gpu:1\"]) and leave runtime.device = cpu");
    }
    replicas = List.copyOf(replicas);
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException(
          "runtime.intra-op-threads and runtime.inter-op-threads: expected 0 (TensorFlow chooses) or more, got "
              + intraOpThreads + " and " + interOpThreads);
    }
    for (String pass : graphOptimizations.keySet()) {
      if (!PASSES.containsKey(pass)) {
        throw new IllegalArgumentException(
            "runtime.graph-optimizations." + pass + ": unknown pass; expected one of " + String.join(", ", PASSES.keySet()));
      }
    }
    graphOptimizations = Map.copyOf(graphOptimizations);
    String refusal = precision.refusal(device.gpu() || replicas.stream().anyMatch(EngineOptions::isGpu));
    if (refusal != null) {
      throw new IllegalArgumentException(refusal);
    }
  }

  /** Trainable parameters from which a model counts as large for {@link #interOpThreadsFor}. */
  static final long LARGE_MODEL_PARAMETERS = 50_000_000L;

  /**
   * The inter-op thread count of a model's session: {@code runtime.inter-op-threads} when set;
   * for 0, one thread for a large model (over {@value #LARGE_MODEL_PARAMETERS} parameters) on
   * oneDNN's CPU kernels on a single device, TensorFlow's choice (0: one per core) otherwise.
   *
   * <p>Why: oneDNN runs each op on every core already (Intel's guidance for it is one inter-op
   * thread per socket), and ops run side by side keep more large tensors alive at once: VGG16-FCN8
   * peaks ~8% lower this way, while the small nets train faster with ops side by side, and
   * replicas on several devices must run side by side (figures: docs/performance.md, "Engine
   * options").
   *
   * @param oneDnn whether TensorFlow runs with oneDNN's kernels ({@link OneDnnChoice#activeInThisProcess})
   */
  public int interOpThreadsFor(long parameters, boolean oneDnn) {
    if (interOpThreads != 0) {
      return interOpThreads;
    }
    boolean oneDevice = replicas.size() <= 1 && !usesGpu();
    return oneDnn && oneDevice && parameters > LARGE_MODEL_PARAMETERS ? 1 : 0;
  }

  /** Whether a GPU is used: {@code runtime.device}, or a GPU among {@code runtime.devices}. */
  public boolean usesGpu() {
    return device.gpu() || replicas.stream().anyMatch(EngineOptions::isGpu);
  }

  /** The GPUs the graph is placed on, as TensorFlow names them in this process. */
  public List<DeviceSpec> gpus() {
    return replicas.isEmpty()
        ? (device.gpu() ? List.of(device.placement()) : List.of())
        : replicas.stream().filter(EngineOptions::isGpu).toList();
  }

  private static boolean isGpu(DeviceSpec d) {
    return d.deviceType() == DeviceSpec.DeviceType.GPU;
  }

  /** {@link #sessionConfig()} for a model of {@code parameters}, its inter-op threads by {@link #interOpThreadsFor}. */
  public ConfigProto sessionConfig(long parameters, boolean oneDnn) {
    return sessionConfig().toBuilder().setInterOpParallelismThreads(interOpThreadsFor(parameters, oneDnn)).build();
  }

  /**
   * The session's configuration. With a GPU, memory grows as needed instead of being taken whole
   * and ops without a GPU kernel fall back to the CPU; {@code runtime.device = gpu:N} makes only
   * GPU N visible (it becomes GPU 0), while {@code runtime.devices} keeps the driver's numbering.
   * Without one no GPU is used, even where the build and machine have one.
   */
  public ConfigProto sessionConfig() {
    ConfigProto.Builder b =
        ConfigProto.newBuilder().setIntraOpParallelismThreads(intraOpThreads).setInterOpParallelismThreads(interOpThreads);
    if (usesGpu()) {
      GPUOptions.Builder gpu = GPUOptions.newBuilder().setAllowGrowth(true);
      if (device.gpu()) {
        gpu.setVisibleDeviceList(Integer.toString(device.index()));
      }
      b.setAllowSoftPlacement(true).setGpuOptions(gpu);
    } else {
      b.putDeviceCount("GPU", 0);
    }
    // Left unset unless asked for, so that the defaults are exactly TensorFlow's.
    boolean rewrites =
        precision != Precision.FLOAT32 || graphOptimizations.values().stream().anyMatch(t -> t != RewriterConfig.Toggle.DEFAULT);
    if (xla || rewrites) {
      GraphOptions.Builder g = GraphOptions.newBuilder();
      if (xla) {
        g.setOptimizerOptions(OptimizerOptions.newBuilder().setGlobalJitLevel(OptimizerOptions.GlobalJitLevel.ON_1));
      }
      if (rewrites) {
        RewriterConfig.Builder r = RewriterConfig.newBuilder();
        graphOptimizations.forEach((pass, t) -> PASSES.get(pass).accept(r, t));
        precision.apply(r);
        g.setRewriteOptions(r);
      }
      b.setGraphOptions(g);
    }
    return b.build();
  }

  /** The glibc tunable that makes malloc ask the kernel for transparent huge pages (glibc 2.35+). */
  static final String HUGE_PAGES_TUNABLE = "glibc.malloc.hugetlb";

  /**
   * Process environment read at load time for these options, kept with what the user set:
   * XLA clusters CPU ops only with {@code --tf_xla_cpu_global_jit} in {@code TF_XLA_FLAGS}; and
   * with {@code hugePages}, glibc's malloc asks for transparent huge pages when
   * {@code GLIBC_TUNABLES} holds {@value #HUGE_PAGES_TUNABLE}=1 (a user's own value of it stays).
   *
   * <p>Why huge pages: TensorFlow's tensors come from malloc; with 4 KB pages, oneDNN's reorder of
   * VGG16's fc6 kernel into its blocked layout (strided writes over the whole kernel, every batch)
   * is TLB-bound, several times slower (docs/performance.md, "Huge pages"). glibc ignores
   * tunables it does not know, and the kernel gives huge pages only where transparent huge pages
   * are in {@code madvise} or {@code always} mode, so elsewhere this changes nothing.
   */
  public Map<String, String> environment(Map<String, String> current) {
    Map<String, String> env = new LinkedHashMap<>();
    if (xla && !usesGpu()) {
      String flags = current.getOrDefault("TF_XLA_FLAGS", "").trim();
      if (!flags.contains("--tf_xla_cpu_global_jit")) {
        flags = (flags.isEmpty() ? "" : flags + " ") + "--tf_xla_cpu_global_jit";
      }
      env.put("TF_XLA_FLAGS", flags);
    }
    if (hugePages) {
      String tunables = current.getOrDefault("GLIBC_TUNABLES", "").trim();
      if (!tunables.contains(HUGE_PAGES_TUNABLE + "=")) {
        tunables = (tunables.isEmpty() ? "" : tunables + ":") + HUGE_PAGES_TUNABLE + "=1";
      }
      env.put("GLIBC_TUNABLES", tunables);
    }
    return env;
  }
}
