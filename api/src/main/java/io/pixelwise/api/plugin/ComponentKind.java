package io.pixelwise.api.plugin;

/**
 * The kinds of pluggable component. Each kind has a config section (e.g. {@code backbones.simple-conv})
 * that holds the defaults of every registered implementation of that kind.
 */
public enum ComponentKind {
  BACKBONE("backbone", "backbones"),
  HEAD("head", "heads"),
  LOSS("loss", "losses"),
  METRIC("metric", "metrics"),
  DATASET("dataset", "datasets");

  private final String label;
  private final String section;

  ComponentKind(String label, String section) {
    this.label = label;
    this.section = section;
  }

  /** Singular, lower-case: used in messages. */
  public String label() {
    return label;
  }

  /** Top-level config section holding per-implementation defaults, keyed by registered name. */
  public String section() {
    return section;
  }
}
