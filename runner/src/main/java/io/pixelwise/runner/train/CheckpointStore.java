package io.pixelwise.runner.train;

import io.pixelwise.engine.ModelSession;
import io.pixelwise.engine.output.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The checkpoints of a run: {@code checkpoints/step-NNNNNNN.{index,data-*}} written by SaveV2 with
 * a JSON sidecar (step, epoch, metrics), plus pointer files {@code latest} and {@code best} that
 * are replaced atomically, so they only ever name a checkpoint that was written completely.
 */
public final class CheckpointStore {
  public static final String LATEST = "latest";
  public static final String BEST = "best";

  private final Path dir;
  private final int keep;

  /** @param keep the newest checkpoints to keep besides the best, at least 1 */
  public CheckpointStore(Path dir, int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("train.keep-checkpoints must be >= 1, got " + keep);
    }
    this.dir = dir;
    this.keep = keep;
  }

  /** Saves all variables and returns the checkpoint's name. */
  public String save(ModelSession session, long step, int epoch, Map<String, Object> info) throws IOException {
    Files.createDirectories(dir);
    String name = String.format("step-%07d", step);
    session.save(dir.resolve(name));
    Map<String, Object> sidecar = new LinkedHashMap<>();
    sidecar.put("step", step);
    sidecar.put("epoch", epoch);
    sidecar.putAll(info);
    Json.write(dir.resolve(name + ".json"), sidecar);
    Json.writeAtomically(dir.resolve(LATEST), name + "\n");
    prune();
    return name;
  }

  public void markBest(String name) throws IOException {
    Json.writeAtomically(dir.resolve(BEST), name + "\n");
  }

  public Optional<String> pointer(String which) {
    Path p = dir.resolve(which);
    if (!Files.isRegularFile(p)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readString(p).trim());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p, e);
    }
  }

  /** Keeps the newest {@code keep} checkpoints and the best one. */
  private void prune() throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.map(p -> p.getFileName().toString())
          .filter(f -> f.startsWith("step-") && f.endsWith(".index"))
          .map(f -> f.substring(0, f.length() - ".index".length()))
          .sorted()
          .forEach(names::add);
    }
    for (String n : toDelete(names, keep, pointer(BEST).orElse(""), pointer(LATEST).orElse(""))) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.filter(p -> p.getFileName().toString().startsWith(n + ".")).toList()) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  /**
   * The retention rule: of {@code names}, oldest first, all but the newest {@code keep}, except
   * the ones the {@code best} and {@code latest} pointers name.
   */
  static List<String> toDelete(List<String> names, int keep, String best, String latest) {
    List<String> delete = new ArrayList<>();
    for (int i = 0; i < names.size() - keep; i++) {
      String n = names.get(i);
      if (!n.equals(best) && !n.equals(latest)) {
        delete.add(n);
      }
    }
    return delete;
  }

  /**
   * The checkpoint prefix a user means by {@code path}: a prefix itself ({@code .../step-0000100}),
   * a checkpoints folder (its best, else latest) or a run folder (likewise).
   */
  public static Path resolve(Path path) {
    if (Files.isRegularFile(Path.of(path + ".index"))) {
      return path;
    }
    Path dir = Files.isDirectory(path.resolve("checkpoints")) ? path.resolve("checkpoints") : path;
    if (Files.isDirectory(dir)) {
      CheckpointStore store = new CheckpointStore(dir, 1);
      Optional<String> name = store.pointer(BEST).or(() -> store.pointer(LATEST));
      if (name.isPresent() && Files.isRegularFile(dir.resolve(name.get() + ".index"))) {
        return dir.resolve(name.get());
      }
    }
    throw new IllegalArgumentException(
        "no checkpoint at '" + path + "': expected a run folder, its checkpoints/ folder, or a "
            + "checkpoint prefix such as runs/x/checkpoints/step-0000100 (with a .index file beside it)");
  }

  /**
   * The run folder of a checkpoint prefix ({@code <run>/checkpoints/<name>}): where the run keeps
   * what its checkpoints need besides the weights (train class frequencies). Null when the prefix
   * has no grandparent.
   */
  public static Path runFolderOf(Path prefix) {
    Path checkpoints = prefix.toAbsolutePath().getParent();
    return checkpoints == null ? null : checkpoints.getParent();
  }

  /** The sidecar of a checkpoint prefix, empty if it has none. */
  public static Map<String, Object> info(Path prefix) {
    Path json = Path.of(prefix + ".json");
    if (!Files.isRegularFile(json)) {
      return Map.of();
    }
    return Json.read(json);
  }
}
