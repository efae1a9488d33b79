package io.pixelwise.engine.output;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON output through Typesafe Config's renderer (already a dependency) rather than another JSON
 * library: our documents are plain maps, lists, strings and numbers.
 */
public final class Json {
  private Json() {}

  public static String render(Object value) {
    return ConfigValueFactory.fromAnyRef(jsonSafe(value))
            .render(ConfigRenderOptions.concise().setFormatted(true))
        + "\n";
  }

  /**
   * A JSON object file as plain maps, lists, strings, numbers and booleans.
   *
   * @throws IllegalArgumentException naming the file, if it is not a JSON object
   */
  public static Map<String, Object> read(Path file) {
    try {
      return com.typesafe.config.ConfigFactory.parseFile(
          file.toFile(), com.typesafe.config.ConfigParseOptions.defaults().setAllowMissing(false)).root().unwrapped();
    } catch (com.typesafe.config.ConfigException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes via a temporary file and a rename, so readers never see half a file. */
  public static void write(Path file, Object value) throws IOException {
    writeAtomically(file, render(value));
  }

  /**
   * Writes {@code text} to a temporary sibling and renames it over {@code file}: a full disk or a
   * crash leaves the previous version intact, and the error names the file.
   */
  public static void writeAtomically(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.writeString(tmp, text);
      // On disk before the rename makes it visible: a crash never leaves a pointer to nothing.
      try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      IOException error =
          new IOException("cannot write " + file + " (previous version kept): " + e.getMessage(), e);
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException cleanup) {
        error.addSuppressed(cleanup);
      }
      throw error;
    }
  }

  /** JSON has no NaN or infinity (an IoU over no pixels is NaN): they become null. */
  private static Object jsonSafe(Object value) {
    if (value instanceof Double d && !Double.isFinite(d) || value instanceof Float f && !Float.isFinite(f)) {
      return null;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> safe = new LinkedHashMap<>();
      map.forEach((k, v) -> safe.put(String.valueOf(k), jsonSafe(v)));
      return safe;
    }
    if (value instanceof Iterable<?> list) {
      List<Object> safe = new ArrayList<>();
      list.forEach(v -> safe.add(jsonSafe(v)));
      return safe;
    }
    if (value instanceof double[] array) {
      List<Object> safe = new ArrayList<>();
      for (double v : array) {
        safe.add(jsonSafe(v));
      }
      return safe;
    }
    return value;
  }
}
