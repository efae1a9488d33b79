package io.pixelwise.runner.config;

import com.typesafe.config.Config;
import java.nio.file.Path;

/**
 * {@code output}: where run folders go and what they get besides metrics and checkpoints.
 *
 * @param sampleImages validation images drawn with their prediction (pictures, TensorBoard)
 */
public record OutputSettings(Path dir, boolean pictures, boolean tensorboard, int sampleImages) {

  public static OutputSettings from(Config c) {
    return new OutputSettings(
        Path.of(c.getString("output.dir")),
        c.getBoolean("output.pictures"),
        c.getBoolean("output.tensorboard"),
        Read.atLeastZero(c, "output.sample-images"));
  }

  /** Validation samples to draw: none when neither pictures nor TensorBoard shows them. */
  public int samplesToDraw() {
    return pictures || tensorboard ? sampleImages : 0;
  }
}
