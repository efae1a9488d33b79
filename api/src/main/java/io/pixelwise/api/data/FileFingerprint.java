package io.pixelwise.api.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A digest of file names, sizes and modification times: changes when any file is replaced. */
public final class FileFingerprint {
  private FileFingerprint() {}

  public static String of(Iterable<Path> files) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    for (Path file : files) {
      String entry =
          file.toAbsolutePath().normalize() + "\t" + Files.size(file) + "\t"
              + Files.getLastModifiedTime(file).toMillis() + "\n";
      digest.update(entry.getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
