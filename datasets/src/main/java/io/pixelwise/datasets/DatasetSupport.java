package io.pixelwise.datasets;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** What the built-in datasets share: reading their options, listing folders, naming what is wrong. */
public final class DatasetSupport {
  private DatasetSupport() {}

  /**
   * The enum constant an option names (its lower-case name).
   *
   * @throws IllegalArgumentException naming {@code datasets.<dataset>.<key>}, the valid values and the value given
   */
  public static <E extends Enum<E>> E choice(Config options, String dataset, String key, Class<E> type) {
    String value = options.getString(key);
    List<String> valid = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      String label = e.name().toLowerCase(Locale.ROOT);
      if (label.equals(value)) {
        return e;
      }
      valid.add(label);
    }
    throw new IllegalArgumentException(
        "datasets." + dataset + "." + key + ": expected one of " + String.join(", ", valid) + ", got '" + value + "'");
  }

  /** The folder's entries in name order, without hidden ones (.DS_Store and the like). */
  public static List<Path> list(Path folder) {
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    }
  }

  /** The first five items, and how many more: for errors about many files. */
  public static String listed(List<String> items) {
    int shown = Math.min(items.size(), 5);
    String list = String.join(", ", items.subList(0, shown));
    return items.size() > shown ? list + " and " + (items.size() - shown) + " more" : list;
  }
}
