package io.pixelwise.datasets;

import io.pixelwise.api.data.FileFingerprint;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

/** A split of file-backed entries: each loads one sample; the files' fingerprint keys the cache. */
public final class FileSamples {
  private FileSamples() {}

  /** How an entry becomes a sample. */
  @FunctionalInterface
  public interface Loader<T> {
    Sample load(T entry) throws IOException;
  }

  /**
   * @param files an entry's files (nulls, such as a missing label, are left out)
   * @param tag set before the fingerprint, for what else decides the samples (a label mapping)
   */
  public static <T> SampleSource of(List<T> entries, Loader<T> loader, Function<T, Stream<Path>> files, String tag) {
    List<T> fixed = List.copyOf(entries);
    return new SampleSource() {
      @Override
      public int size() {
        return fixed.size();
      }

      @Override
      public Sample load(int index) throws IOException {
        return loader.load(fixed.get(index));
      }

      @Override
      public String fingerprint() throws IOException {
        return tag + FileFingerprint.of(fixed.stream().flatMap(files).filter(Objects::nonNull).toList());
      }
    };
  }
}
