package io.pixelwise.engine;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.DeviceSpec;

/** {@code runtime.devices}: the devices one training step is replicated over. */
public final class Devices {
  private static final Pattern DEVICE = Pattern.compile("(cpu|gpu):(\\d{1,4})");

  private Devices() {}

  /**
   * Parses entries such as {@code cpu:0} or {@code gpu:1}; an empty list means one device, placed by
   * TensorFlow.
   *
   * @throws IllegalArgumentException naming the key and the entry, for a malformed or repeated one
   */
  public static List<DeviceSpec> parse(String key, List<String> entries) {
    List<DeviceSpec> devices = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String entry : entries) {
      Matcher m = DEVICE.matcher(entry.trim().toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        throw new IllegalArgumentException(
            key + ": '" + entry + "' is not a device; expected cpu:N or gpu:N, e.g. [\"gpu:0\", \"gpu:1\"]");
      }
      if (!seen.add(m.group(1) + ":" + Integer.parseInt(m.group(2)))) {
        throw new IllegalArgumentException(key + ": device '" + entry + "' is listed twice");
      }
      devices.add(
          DeviceSpec.newBuilder()
              .deviceType(m.group(1).equals("cpu") ? DeviceSpec.DeviceType.CPU : DeviceSpec.DeviceType.GPU)
              .deviceIndex(Integer.parseInt(m.group(2)))
              .build());
    }
    return List.copyOf(devices);
  }

  /**
   * How many CPU devices this process must expose for {@code devices} (TensorFlow makes one CPU
   * device unless its session config asks for more): one more than the highest local CPU index.
   */
  public static int localCpuDevices(List<DeviceSpec> devices) {
    int n = 1;
    for (DeviceSpec d : devices) {
      if (d.job() == null && d.deviceType() == DeviceSpec.DeviceType.CPU && d.deviceIndex() != null) {
        n = Math.max(n, d.deviceIndex() + 1);
      }
    }
    return n;
  }
}
