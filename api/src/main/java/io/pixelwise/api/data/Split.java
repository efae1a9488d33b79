package io.pixelwise.api.data;

/** The parts of a dataset. */
public enum Split {
  TRAIN,
  VAL,
  TEST;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
