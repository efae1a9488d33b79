package io.pixelwise.engine;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.DeviceSpec;

/**
 * Where the graph runs ({@code runtime.device}): the CPU, or one GPU by its index as the driver
 * numbers them ({@code nvidia-smi}, {@code CUDA_VISIBLE_DEVICES} applied).
 *
 * @param gpu false for the CPU
 * @param index the GPU's index; 0 for the CPU
 */
public record Device(boolean gpu, int index) {
  public static final Device CPU = new Device(false, 0);
  private static final Pattern FORMAT = Pattern.compile("(cpu|gpu)(?::(\\d{1,4}))?");

  public Device {
    if (index < 0 || (!gpu && index != 0)) {
      throw new IllegalArgumentException("runtime.device: no device " + (gpu ? "gpu:" : "cpu:") + index);
    }
  }

  /**
   * Parses {@code cpu}, {@code gpu} (the first GPU) or {@code gpu:N}.
   *
   * @throws IllegalArgumentException naming the key, the value and the accepted forms
   */
  public static Device parse(String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT));
    if (!m.matches() || (m.group(1).equals("cpu") && m.group(2) != null)) {
      throw new IllegalArgumentException(
          "runtime.device: expected cpu, gpu or gpu:N (N = the GPU's index, 0 for the first), got '" + text + "'");
    }
    return m.group(1).equals("cpu") ? CPU : new Device(true, m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
  }

  /**
   * Where the graph's ops are placed. The session makes only the chosen GPU visible (see {@link
   * EngineOptions#sessionConfig()}), so TensorFlow names it GPU 0 whatever its index.
   */
  public DeviceSpec placement() {
    return DeviceSpec.newBuilder()
        .deviceType(gpu ? DeviceSpec.DeviceType.GPU : DeviceSpec.DeviceType.CPU)
        .deviceIndex(0)
        .build();
  }

  @Override
  public String toString() {
    return gpu ? "gpu:" + index : "cpu";
  }
}
