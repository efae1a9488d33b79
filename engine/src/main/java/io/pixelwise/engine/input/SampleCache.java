package io.pixelwise.engine.input;

import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.data.RasterImage;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.engine.output.Progress;
import io.pixelwise.imaging.ImageDecoding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A split preprocessed once (decoded, converted to the model's channels, resized to the input
 * size) into one memory-mapped file, so later epochs and runs skip PNG decoding and resizing.
 *
 * <p>File layout: a header (magic, format version, key, count, width, height, channels, whether
 * labels are present), a CRC32C per record, then fixed-size records (image bytes, then label
 * bytes); ids live in a text sidecar. The key is a digest of everything the records depend on
 * (dataset name and options, split, input size, channels, the source's {@link
 * SampleSource#fingerprint()}); a file with another key, a wrong length or a failing checksum is
 * stale or corrupt and is rebuilt, never read. Files are written under a temporary name and
 * renamed, so a crash leaves no half-written cache behind.
 */
public final class SampleCache {
  private static final Logger LOG = LoggerFactory.getLogger(SampleCache.class);
  private static final long MAGIC = 0x5058574341434845L; // "PXWCACHE"
  /**
   * Bump when the record layout or the preprocessing (decoding, resizing, channel conversion)
   * changes. 2: datasets read from files decode and resize natively (ImageReader.readResized).
   * 3: samples of another size than the input are resized by the same kernels (ImageDecoding.resize),
   * no longer by a Java resize.
   */
  static final int FORMAT = 3;
  private static final int HEADER = 8 + 4 + 32 + 4 * 5;

  private SampleCache() {}

  /** The identity of a cached split: all inputs to the preprocessing. */
  public static String key(String dataset, String options, String split, InputSize size, int channels, SampleSource source)
      throws IOException {
    String text = String.join("\n", "format " + FORMAT, dataset, options, split,
        size.width() + "x" + size.height() + "x" + channels, "count " + source.size(), source.fingerprint());
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The cached split at {@code file}, built first (on {@code workers}) if missing, stale or
   * corrupt.
   */
  public static SampleSource open(
      Path file, String key, SampleSource source, InputSize size, int channels, ExecutorService workers)
      throws IOException {
    if (source.size() == 0) {
      return source;
    }
    String problem = check(file, key, source.size(), size, channels);
    if (problem != null) {
      if (Files.exists(file)) {
        LOG.warn("rebuilding cache {}: {}", file, problem);
      } else {
        LOG.info("building cache {} ({} images at {}x{})", file, source.size(), size.width(), size.height());
      }
      build(file, key, source, size, channels, workers);
      String after = check(file, key, source.size(), size, channels);
      if (after != null) {
        throw new IOException("cache " + file + " is unreadable right after it was written: " + after);
      }
    }
    return new Mapped(file, size, channels);
  }

  /** Why {@code file} cannot be used, or null if it is a complete cache for {@code key}. */
  static String check(Path file, String key, int count, InputSize size, int channels) throws IOException {
    if (!Files.isRegularFile(file) || !Files.isRegularFile(ids(file))) {
      return "not built yet";
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() < HEADER) {
        return "truncated header";
      }
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
      map.order(ByteOrder.LITTLE_ENDIAN);
      if (map.getLong(0) != MAGIC) {
        return "not a Pixelwise cache file";
      }
      if (map.getInt(8) != FORMAT) {
        return "cache format " + map.getInt(8) + ", this build writes " + FORMAT;
      }
      byte[] stored = new byte[32];
      map.get(12, stored);
      if (!HexFormat.of().formatHex(stored).equals(key)) {
        return "built for other data or settings (dataset files, options or input size changed)";
      }
      int n = map.getInt(44);
      int w = map.getInt(48);
      int h = map.getInt(52);
      int c = map.getInt(56);
      boolean labels = map.getInt(60) != 0;
      if (n != count || w != size.width() || h != size.height() || c != channels) {
        return "header does not match the split";
      }
      long record = recordSize(w, h, c, labels);
      long expected = HEADER + 4L * n + record * n;
      if (ch.size() != expected) {
        return "length " + ch.size() + " bytes, expected " + expected + " (truncated?)";
      }
      CRC32C crc = new CRC32C();
      for (int i = 0; i < n; i++) {
        crc.reset();
        crc.update(map.slice((int) (HEADER + 4L * n + record * i), (int) record));
        if ((int) crc.getValue() != map.getInt(HEADER + 4 * i)) {
          return "checksum mismatch in record " + i;
        }
      }
      if (Files.readAllLines(ids(file), StandardCharsets.UTF_8).size() != n) {
        return "id list does not match";
      }
      return null;
    }
  }

  private static void build(
      Path file, String key, SampleSource source, InputSize size, int channels, ExecutorService workers)
      throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    int n = source.size();
    int w = size.width();
    int h = size.height();
    // Labels are stored when the first sample has them; a split is labelled throughout or not at all.
    Sample first = loadResized(source, 0, size, channels);
    boolean labels = first.labels() != null;
    long record = recordSize(w, h, channels, labels);
    long total = HEADER + 4L * n + record * n;
    if (total > Integer.MAX_VALUE) {
      throw new IOException(
          "cache " + file + " would be " + total / (1 << 20) + " MiB; one file holds at most 2 GiB (use a smaller"
              + " input size, or data.cache = false)");
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Path idsTmp = ids(file).resolveSibling(ids(file).getFileName() + ".tmp");
    List<String> ids = new ArrayList<>(n);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.READ, StandardOpenOption.WRITE);
        Progress progress = Progress.start("cache " + file.getFileName(), n)) {
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, total);
      map.order(ByteOrder.LITTLE_ENDIAN);
      map.putLong(0, MAGIC).putInt(8, FORMAT);
      map.put(12, HexFormat.of().parseHex(key));
      map.putInt(44, n).putInt(48, w).putInt(52, h).putInt(56, channels).putInt(60, labels ? 1 : 0);
      // Samples are prepared in parallel, a window at a time, and written in order.
      int window = 32;
      for (int start = 0; start < n; start += window) {
        List<Future<Sample>> pending = new ArrayList<>();
        for (int i = start; i < Math.min(n, start + window); i++) {
          int index = i;
          pending.add(index == 0
              ? java.util.concurrent.CompletableFuture.completedFuture(first)
              : workers.submit(() -> loadResized(source, index, size, channels)));
        }
        for (int k = 0; k < pending.size(); k++) {
          Sample s = await(pending.get(k));
          int i = start + k;
          if ((s.labels() != null) != labels) {
            throw new IOException(s.id() + ": " + (labels ? "has no labels" : "has labels") + " unlike the rest of its split");
          }
          int offset = (int) (HEADER + 4L * n + record * i);
          map.put(offset, s.image().pixels());
          if (labels) {
            map.put(offset + s.image().pixels().length, s.labels().ids());
          }
          CRC32C crc = new CRC32C();
          crc.update(map.slice(offset, (int) record));
          map.putInt(HEADER + 4 * i, (int) crc.getValue());
          ids.add(s.id());
          progress.step(1, s.id());
        }
      }
      map.force();
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw new IOException("cannot build cache " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.write(idsTmp, ids, StandardCharsets.UTF_8);
    Files.move(idsTmp, ids(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static Sample await(Future<Sample> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while building the cache", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(e.getCause());
    }
  }

  /** Exactly the preprocessing the batch loader applies to an uncached sample. */
  static Sample loadResized(SampleSource source, int index, InputSize size, int channels) throws IOException {
    Sample s = source.load(index);
    RasterImage image = ImageDecoding.resize(BatchLoader.toChannels(s.image(), channels, s.id()), size.width(), size.height());
    LabelMap labels = s.labels() == null ? null : s.labels().resized(size.width(), size.height());
    return new Sample(s.id(), image, labels);
  }

  private static long recordSize(int w, int h, int c, boolean labels) {
    return (long) w * h * c + (labels ? (long) w * h : 0);
  }

  private static Path ids(Path file) {
    return file.resolveSibling(file.getFileName() + ".ids");
  }

  /** Reads records straight from the mapped file; safe for concurrent loads. */
  private static final class Mapped implements SampleSource {
    private final ByteBuffer map;
    private final List<String> ids;
    private final int count;
    private final int w;
    private final int h;
    private final int c;
    private final boolean labels;
    private final long record;

    Mapped(Path file, InputSize size, int channels) throws IOException {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
      }
      ids = Files.readAllLines(ids(file), StandardCharsets.UTF_8);
      count = map.getInt(44);
      w = size.width();
      h = size.height();
      c = channels;
      labels = map.getInt(60) != 0;
      record = recordSize(w, h, c, labels);
    }

    @Override
    public int size() {
      return count;
    }

    @Override
    public Sample load(int index) {
      if (index < 0 || index >= count) {
        throw new IndexOutOfBoundsException("cache holds " + count + " samples, asked for #" + index);
      }
      int offset = (int) (HEADER + 4L * count + record * index);
      byte[] pixels = new byte[w * h * c];
      map.get(offset, pixels);
      LabelMap labelMap = null;
      if (labels) {
        byte[] l = new byte[w * h];
        map.get(offset + pixels.length, l);
        labelMap = new LabelMap(w, h, l);
      }
      return new Sample(ids.get(index), new RasterImage(w, h, c, pixels), labelMap);
    }
  }
}
