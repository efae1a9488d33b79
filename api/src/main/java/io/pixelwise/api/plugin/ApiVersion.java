package io.pixelwise.api.plugin;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version of this api, {@code <major>.<minor>}. A plugin jar declares the api it was compiled
 * against in its manifest ({@value #MANIFEST_ATTRIBUTE}{@code : 2.0}), and the runner loads it
 * only where that version is compatible with its own:
 *
 * <ul>
 *   <li>the major version changes when something a plugin may use changes or goes away, so a
 *       plugin needs the same major version;
 *   <li>the minor version changes when something is added, so a plugin built against 2.1 needs
 *       2.1 or a later 2.x, and a plugin built against 2.0 runs on every 2.x.
 * </ul>
 *
 * <p>2.0 took the image decoders out of the api ({@code ImageFiles} went to the runner's imaging
 * module) and gives datasets an {@link io.pixelwise.api.data.ImageReader} through their {@link
 * io.pixelwise.api.data.DatasetContext}; plugins built against 1.x are refused.
 *
 * @param major incompatible changes
 * @param minor compatible additions
 */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {
  public static final int MAJOR = 2;
  public static final int MINOR = 0;
  /** This api's version as text; a compile-time constant, so a plugin's copy is what it was built with. */
  public static final String CURRENT_TEXT = MAJOR + "." + MINOR;
  public static final ApiVersion CURRENT = new ApiVersion(MAJOR, MINOR);
  /** The plugin jar's manifest attribute that holds the api version it was compiled against. */
  public static final String MANIFEST_ATTRIBUTE = "Pixelwise-Api-Version";

  private static final Pattern FORMAT = Pattern.compile("(\\d{1,6})\\.(\\d{1,6})(?:\\.\\d{1,6})?");

  public ApiVersion {
    if (major < 0 || minor < 0) {
      throw new IllegalArgumentException("api version numbers are >= 0, got " + major + "." + minor);
    }
  }

  /**
   * Parses {@code major.minor}; a third, patch number is accepted and ignored (it never changes
   * what a plugin may use).
   *
   * @throws IllegalArgumentException naming the expected form
   */
  public static ApiVersion parse(String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not an api version; expected <major>.<minor>, e.g. " + CURRENT_TEXT);
    }
    return new ApiVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  /** Whether a plugin compiled against {@code builtAgainst} can run on this api version. */
  public boolean runs(ApiVersion builtAgainst) {
    return builtAgainst.major == major && builtAgainst.minor <= minor;
  }

  /**
   * Why a plugin compiled against {@code builtAgainst} cannot run on this version, or empty if it
   * can. The reason names the version the plugin needs and the one provided.
   */
  public Optional<String> incompatibility(ApiVersion builtAgainst) {
    if (runs(builtAgainst)) {
      return Optional.empty();
    }
    String needs = "it needs api " + builtAgainst + " or a later " + builtAgainst.major
        + ".x, and this Pixelwise provides api " + this;
    String fix =
        builtAgainst.compareTo(this) > 0
            ? "upgrade Pixelwise"
            : "rebuild the plugin against pixelwise-api " + this;
    return Optional.of(needs + "; " + fix);
  }

  @Override
  public int compareTo(ApiVersion o) {
    return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
