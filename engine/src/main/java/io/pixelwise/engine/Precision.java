package io.pixelwise.engine;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.tensorflow.proto.RewriterConfig;

/**
 * {@code runtime.precision}: the arithmetic of the model's heavy ops. Every mixed mode is one of
 * TensorFlow's own Grappler rewrites (TensorFlow 2.18, {@code auto_mixed_precision*} in
 * RewriterConfig): it casts the ops on its allow list (convolutions and their gradients, matrix
 * products) and the cheap ops between them to a 16-bit type, while the variables, the optimizer
 * and the losses (softmax cross-entropy, sums and means are on its deny list) stay float32. The
 * model plugins keep building float32 graphs.
 */
public enum Precision {
  /** Nothing rewritten. */
  FLOAT32("float32", false),
  /**
   * float16 on the GPU ({@code auto_mixed_precision}): TensorFlow rewrites the ops placed on a GPU
   * of compute capability 7.0 or more and leaves everything else alone, so it needs a GPU. float16
   * gradients underflow and overflow, hence dynamic loss scaling.
   */
  MIXED_FLOAT16("mixed-float16", true),
  /**
   * bfloat16 on the CPU through oneDNN ({@code auto_mixed_precision_onednn_bfloat16}): processes
   * ops placed on the CPU only, and only while oneDNN is on. bfloat16 has float32's exponent
   * range, so no loss scaling.
   */
  MIXED_BFLOAT16("mixed-bfloat16", false),
  /**
   * The float16 rewrite on the CPU ({@code auto_mixed_precision_cpu}): the same ops as on a GPU,
   * but computed by float32 kernels whose inputs and results pass through float16 casts, so values
   * are rounded to float16 and overflow as they would on a GPU. For checking a model's float16
   * numerics and loss scaling without a GPU; slower than float32.
   */
  MIXED_FLOAT16_EMULATED("mixed-float16-emulated", true);

  private final String key;
  private final boolean scalesLoss;

  Precision(String key, boolean scalesLoss) {
    this.key = key;
    this.scalesLoss = scalesLoss;
  }

  /**
   * @throws IllegalArgumentException naming the key and the accepted values
   */
  public static Precision parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(p -> p.key.equals(t))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "runtime.precision: expected " + Arrays.stream(values()).map(Precision::toString).collect(Collectors.joining(", "))
                + ", got '" + text + "'"));
  }

  /** Whether training multiplies the loss by a dynamic scale (float16's narrow range needs it). */
  public boolean scalesLoss() {
    return scalesLoss;
  }

  /**
   * Why this precision cannot run on the given devices, or null if it can.
   *
   * @param gpu whether the graph is placed on GPUs ({@code runtime.device} or {@code runtime.devices})
   */
  String refusal(boolean gpu) {
    return switch (this) {
      case FLOAT32 -> null;
      case MIXED_FLOAT16 -> gpu ? null
          : "runtime.precision = mixed-float16 needs a GPU: TensorFlow rewrites to float16 only the ops placed on a GPU"
              + " (compute capability 7.0 or more) and would leave this CPU graph in float32. On the CPU set"
              + " runtime.precision = float32, mixed-bfloat16 (oneDNN), or mixed-float16-emulated (to check float16"
              + " numerics and loss scaling)";
      case MIXED_BFLOAT16 -> !gpu ? null
          : "runtime.precision = mixed-bfloat16 runs on the CPU only: TensorFlow's bfloat16 rewrite processes ops placed"
              + " on the CPU (oneDNN kernels) and would leave the GPU graph in float32. On a GPU use mixed-float16 or float32";
      case MIXED_FLOAT16_EMULATED -> !gpu ? null
          : "runtime.precision = mixed-float16-emulated emulates float16 on the CPU only; on a GPU use mixed-float16 or float32";
    };
  }

  /** Switches this precision's rewrite on; float32 leaves the config as it is. */
  void apply(RewriterConfig.Builder rewriter) {
    switch (this) {
      case FLOAT32 -> { }
      case MIXED_FLOAT16 -> rewriter.setAutoMixedPrecision(RewriterConfig.Toggle.ON);
      case MIXED_BFLOAT16 -> rewriter.setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON);
      case MIXED_FLOAT16_EMULATED -> rewriter.setAutoMixedPrecisionCpu(RewriterConfig.Toggle.ON);
    }
  }

  /** oneDNN's instruction-set caps ({@code ONEDNN_MAX_CPU_ISA}) below which it has no bfloat16 kernels. */
  private static final Set<String> ISAS_WITHOUT_BFLOAT16 = Set.of("SSE41", "AVX", "AVX2", "AVX2_VNNI");

  /**
   * Why oneDNN cannot compute in bfloat16 here, or null where it can: it needs AVX-512 (or
   * AVX-NE-CONVERT) in the CPU's {@code /proc/cpuinfo} flags and no {@code ONEDNN_MAX_CPU_ISA} cap
   * below them. Without them TensorFlow does not fall back to slower kernels: the first bfloat16
   * convolution aborts the process ("could not create a primitive descriptor", measured with
   * {@code ONEDNN_MAX_CPU_ISA=AVX2}), so the runner refuses before that.
   *
   * @param cpuinfo {@code /proc/cpuinfo}; empty where unreadable (not Linux: TensorFlow decides)
   * @param maxIsa the {@code ONEDNN_MAX_CPU_ISA} environment variable, or null
   */
  public static String bfloat16Unsupported(String cpuinfo, String maxIsa) {
    if (maxIsa != null && ISAS_WITHOUT_BFLOAT16.contains(maxIsa.trim().toUpperCase(Locale.ROOT))) {
      return "ONEDNN_MAX_CPU_ISA=" + maxIsa + " keeps oneDNN below AVX-512, where it has no bfloat16 kernels";
    }
    if (!fastBfloat16(cpuinfo)) {
      return "this CPU has neither AVX-512 nor AVX-NE-CONVERT, which oneDNN's bfloat16 kernels need";
    }
    return null;
  }

  /**
   * Whether a CPU's {@code /proc/cpuinfo} flags include what oneDNN needs for bfloat16 (AVX-512,
   * or AVX-NE-CONVERT). True when the flags cannot be read (not Linux): TensorFlow then decides alone.
   */
  public static boolean fastBfloat16(String cpuinfo) {
    if (cpuinfo == null || cpuinfo.isBlank()) {
      return true;
    }
    for (String line : cpuinfo.split("\n")) {
      if (line.startsWith("flags")) {
        Set<String> flags = new HashSet<>(Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
        return flags.contains("avx512f") || flags.contains("avx_ne_convert");
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return key;
  }
}
