package io.pixelwise.runner.cli;

import io.pixelwise.runner.train.CheckpointStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --checkpoint PATH}, shared by the commands that use a trained model. */
final class CheckpointOption {
  @Option(names = "--checkpoint", required = true, paramLabel = "PATH",
      description = "Run folder (its best checkpoint), its checkpoints/ folder, or a checkpoint prefix.")
  Path path;

  /** The checkpoint prefix meant, or an error saying what was expected. */
  Path prefix() {
    return CheckpointStore.resolve(path);
  }
}
