package io.pixelwise.api.data;

import java.io.IOException;

/** The samples of one split, loaded by index; implementations must be safe for concurrent loads. */
public interface SampleSource {

  int size();

  /**
   * Loads sample {@code index}.
   *
   * @throws IOException with a message that names the offending file
   */
  Sample load(int index) throws IOException;

  /**
   * What identifies this split's content, for caches of preprocessed samples: a cache built under
   * another fingerprint is stale and rebuilt. Sources read from files return {@link
   * FileFingerprint#of} their files; the default, empty, means the content is a pure function of
   * the dataset's options (as for generated data).
   */
  default String fingerprint() throws IOException {
    return "";
  }
}
