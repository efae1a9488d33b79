package io.pixelwise.api.model;

import java.util.Objects;

/**
 * Whether a backbone runs better with TensorFlow's oneDNN CPU kernels, and why (since api 1.2).
 * The runner follows it when {@code runtime.onednn = auto}; an explicit {@code on} or {@code off}
 * always wins.
 *
 * @param on true for oneDNN kernels, false for TensorFlow's own (Eigen) kernels
 * @param reason shown in the startup log, e.g. what was measured on which kind of CPU
 */
public record OneDnnPreference(boolean on, String reason) {
  public OneDnnPreference {
    Objects.requireNonNull(reason, "reason");
  }
}
