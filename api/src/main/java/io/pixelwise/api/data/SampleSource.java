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
}
