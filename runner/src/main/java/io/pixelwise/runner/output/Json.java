package io.pixelwise.runner.output;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * JSON output through Typesafe Config's renderer (already a dependency) rather than another JSON
 * library: our documents are plain maps, lists, strings and numbers.
 */
public final class Json {
  private Json() {}

  public static String render(Object value) {
    return ConfigValueFactory.fromAnyRef(value).render(ConfigRenderOptions.concise().setFormatted(true)) + "\n";
  }

  /** Writes via a temporary file and a rename, so readers never see half a file. */
  public static void write(Path file, Object value) throws IOException {
    writeAtomically(file, render(value));
  }

  public static void writeAtomically(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
