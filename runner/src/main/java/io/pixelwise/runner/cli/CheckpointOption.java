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

  /**
   * Without CONF, the run folder's own {@code config.conf} (the resolved config it trained with),
   * as {@code train --resume} takes it; {@code --set} still applies on top.
   */
  void supplyRunConfig(ConfigOptions config) {
    if (config.conf != null) {
      return;
    }
    Path prefix = prefix();
    Path run = CheckpointStore.runFolderOf(prefix);
    Path recorded = run == null ? null : run.resolve("config.conf");
    if (recorded == null || !java.nio.file.Files.isRegularFile(recorded)) {
      throw new IllegalArgumentException(
          "missing CONF, and the checkpoint " + prefix + " is not in a run folder with a config.conf"
              + (recorded == null ? "" : " (no " + recorded + ")") + ": name the experiment file it was trained with");
    }
    config.conf = recorded.toString();
  }
}
