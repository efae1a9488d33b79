package io.pixelwise.engine;

import io.pixelwise.api.model.OneDnnPreference;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether TensorFlow uses its oneDNN CPU kernels, and why: {@code runtime.onednn = on|off} as
 * written, or for {@code auto} the backbone's {@link OneDnnPreference}, and on where it has none.
 *
 * @param on the value for {@code TF_ENABLE_ONEDNN_OPTS}
 * @param reason for the startup log
 */
public record OneDnnChoice(boolean on, String reason) {

  /**
   * @param setting {@code runtime.onednn}
   * @param backbone the backbone's name, for the reason
   * @param preference what the backbone's factory asks for under {@code auto}
   * @throws IllegalArgumentException if {@code setting} is not auto, on or off
   */
  public static OneDnnChoice resolve(String setting, String backbone, Optional<OneDnnPreference> preference) {
    return switch (setting.toLowerCase(Locale.ROOT)) {
      case "on" -> new OneDnnChoice(true, "runtime.onednn = on");
      case "off" -> new OneDnnChoice(false, "runtime.onednn = off");
      case "auto" ->
          preference
              .map(p -> new OneDnnChoice(p.on(), "runtime.onednn = auto and backbone " + backbone + " asks for it "
                  + (p.on() ? "on" : "off") + ": " + p.reason()))
              // oneDNN trains and predicts the convolutional nets faster on the CPUs measured
              // (docs/performance.md, "How runtime.onednn = auto chooses").
              .orElseGet(() -> new OneDnnChoice(true, "runtime.onednn = auto; backbone " + backbone
                  + " states no preference, and oneDNN is faster for convolutional nets on the CPUs measured"));
      default -> throw new IllegalArgumentException("runtime.onednn: expected auto, on or off, got '" + setting + "'");
    };
  }

  /**
   * Whether TensorFlow runs its oneDNN kernels in this process: {@code TF_ENABLE_ONEDNN_OPTS} as
   * TensorFlow reads it at load time (1/true, 0/false), and when unset TensorFlow's default, on for
   * its Linux x86-64 builds.
   */
  public static boolean activeInThisProcess() {
    return activeFor(System.getenv("TF_ENABLE_ONEDNN_OPTS"), System.getProperty("os.name"), System.getProperty("os.arch"));
  }

  static boolean activeFor(String env, String os, String arch) {
    if (env != null && !env.isBlank()) {
      String v = env.trim().toLowerCase(Locale.ROOT);
      return v.equals("1") || v.equals("true");
    }
    return os.toLowerCase(Locale.ROOT).contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
  }

  /** The log line, e.g. {@code oneDNN CPU kernels off (runtime.onednn = off)}. */
  public String describe() {
    return "oneDNN CPU kernels " + (on ? "on" : "off") + " (" + reason + ")";
  }
}
