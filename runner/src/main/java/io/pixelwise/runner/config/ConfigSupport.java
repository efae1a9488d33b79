package io.pixelwise.runner.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Helpers for walking possibly unresolved config trees and for wording problems. */
final class ConfigSupport {
  private static final Pattern SET_ORIGIN = Pattern.compile("(--set .*): \\d+");

  private ConfigSupport() {}

  /**
   * Keys of an object, sorted; empty where the object is not resolved yet (an object merged with
   * a substitution cannot tell its keys before resolution).
   */
  static Set<String> keys(ConfigObject object) {
    try {
      return new TreeSet<>(object.keySet());
    } catch (ConfigException.NotResolved e) {
      return Set.of();
    }
  }

  /** The child at {@code key}, or null where absent or not inspectable before resolution. */
  static ConfigValue child(ConfigObject object, String key) {
    try {
      return object.get(key);
    } catch (ConfigException.NotResolved e) {
      return null;
    }
  }

  /** The value at a path of keys, or null where absent (or hidden behind an unresolved value). */
  static ConfigValue find(ConfigObject root, List<String> path) {
    ConfigValue current = root;
    for (String key : path) {
      if (!(current instanceof ConfigObject object)) {
        return null;
      }
      current = child(object, key);
      if (current == null) {
        return null;
      }
    }
    return current;
  }

  static ConfigValue find(ConfigObject root, String path) {
    return find(root, ConfigUtil.splitPath(path));
  }

  /** Leaves under a value (itself if not an object, or an empty object), keyed by relative path. */
  static void leaves(ConfigValue value, List<String> at, Map<List<String>, ConfigValue> out) {
    if (value instanceof ConfigObject object && !keys(object).isEmpty()) {
      for (String key : keys(object)) {
        ConfigValue child = child(object, key);
        if (child != null) {
          leaves(child, append(at, key), out);
        }
      }
    } else {
      out.put(at, value);
    }
  }

  static List<String> append(List<String> path, String key) {
    List<String> longer = new ArrayList<>(path);
    longer.add(key);
    return List.copyOf(longer);
  }

  static String join(List<String> path) {
    return path.isEmpty() ? "(root)" : ConfigUtil.joinPath(path);
  }

  /** "file: 12", or the --set argument (whose single line says nothing). */
  static String where(ConfigOrigin origin) {
    if (origin == null) {
      return "unknown origin";
    }
    String d = origin.description();
    var m = SET_ORIGIN.matcher(d);
    return m.matches() ? m.group(1) : d;
  }

  static String where(ConfigValue value) {
    return where(value == null ? null : value.origin());
  }

  /** The type, and the value itself where short: {@code string "many"}. */
  static String describe(ConfigValue value) {
    ConfigValueType type;
    try {
      type = value.valueType();
    } catch (ConfigException.NotResolved e) {
      return "an unresolved value";
    }
    String name = typeName(type);
    if (type == ConfigValueType.OBJECT || type == ConfigValueType.LIST || type == ConfigValueType.NULL) {
      return name;
    }
    String text = value.render(ConfigRenderOptions.concise());
    return text.length() > 40 ? name : name + " " + text;
  }

  static String typeName(ConfigValueType type) {
    return switch (type) {
      case OBJECT -> "an object";
      case LIST -> "a list";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case STRING -> "a string";
    };
  }

  /**
   * Candidates within a small edit distance of {@code wrong} (transpositions count one), closest
   * first; empty where none is close enough to be a likely typo.
   */
  static List<String> closest(String wrong, Set<String> candidates) {
    int limit = wrong.length() <= 3 ? 1 : 2;
    String w = wrong.toLowerCase();
    List<String> close = new ArrayList<>();
    int best = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(w, c.toLowerCase());
      if (d > limit || d > best) {
        continue;
      }
      if (d < best) {
        best = d;
        close.clear();
      }
      close.add(c);
    }
    close.sort(Comparator.naturalOrder());
    return close;
  }

  /** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
