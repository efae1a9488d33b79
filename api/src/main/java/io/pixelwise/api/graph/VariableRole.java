package io.pixelwise.api.graph;

/** What a variable is for; decides whether the optimizer updates it and weight decay applies. */
public enum VariableRole {
  /** Trained and L2-regularised: convolution kernels, dense weights. */
  WEIGHT(true, true),
  /** Trained, not regularised: biases, normalisation scale and offset. */
  BIAS(true, false),
  /** Not trained by the optimizer but saved in checkpoints: moving statistics, counters. */
  STATE(false, false);

  private final boolean trainable;
  private final boolean regularized;

  VariableRole(boolean trainable, boolean regularized) {
    this.trainable = trainable;
    this.regularized = regularized;
  }

  public boolean trainable() {
    return trainable;
  }

  public boolean regularized() {
    return regularized;
  }
}
