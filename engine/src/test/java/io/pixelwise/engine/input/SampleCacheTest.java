package io.pixelwise.engine.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.data.RasterImage;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleCacheTest {
  private static final InputSize SIZE = new InputSize(6, 10);
  @TempDir Path dir;
  private final ExecutorService workers = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    workers.shutdownNow();
  }

  /** 7 grey 13x9 images with labels, counting loads; the fingerprint is settable. */
  static final class Source implements SampleSource {
    final AtomicInteger loads = new AtomicInteger();
    String fingerprint = "v1";

    @Override
    public int size() {
      return 7;
    }

    @Override
    public Sample load(int index) {
      loads.incrementAndGet();
      byte[] px = new byte[13 * 9];
      byte[] ids = new byte[13 * 9];
      for (int i = 0; i < px.length; i++) {
        px[i] = (byte) (i * 7 + index * 31);
        ids[i] = (byte) ((i + index) % 3);
      }
      return new Sample("s" + index, new RasterImage(13, 9, 1, px), new LabelMap(13, 9, ids));
    }

    @Override
    public String fingerprint() {
      return fingerprint;
    }
  }

  private SampleSource open(Path file, Source source) throws IOException {
    String key = SampleCache.key("test", "{}", "train", SIZE, 3, source);
    return SampleCache.open(file, key, source, SIZE, 3, workers);
  }

  @Test
  void cachedSamplesEqualTheLoaderPreprocessing() throws IOException {
    Source source = new Source();
    SampleSource cached = open(dir.resolve("train.bin"), source);
    assertEquals(7, cached.size());
    for (int i = 0; i < 7; i++) {
      Sample expected = SampleCache.loadResized(source, i, SIZE, 3);
      Sample got = cached.load(i);
      assertEquals(expected.id(), got.id());
      assertEquals(3, got.image().channels());
      assertEquals(10, got.image().width());
      assertArrayEquals(expected.image().pixels(), got.image().pixels());
      assertArrayEquals(expected.labels().ids(), got.labels().ids());
    }
  }

  @Test
  void aValidCacheIsReusedWithoutLoadingTheSource() throws IOException {
    Path file = dir.resolve("train.bin");
    open(file, new Source());
    Source again = new Source();
    open(file, again).load(3);
    assertEquals(0, again.loads.get(), "a valid cache was rebuilt");
  }

  @Test
  void changedFilesMakeTheCacheStale() throws IOException {
    Path file = dir.resolve("train.bin");
    open(file, new Source());
    Source changed = new Source();
    changed.fingerprint = "v2";
    open(file, changed);
    assertEquals(7, changed.loads.get(), "a stale cache was used");
  }

  @Test
  void aCorruptRecordIsDetectedAndRebuilt() throws IOException {
    Path file = dir.resolve("train.bin");
    Source source = new Source();
    open(file, source);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      var one = java.nio.ByteBuffer.allocate(1);
      ch.read(one, ch.size() - 5);
      one.flip();
      byte flipped = (byte) (one.get(0) ^ 0x40);
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {flipped}), ch.size() - 5);
    }
    assertTrue(SampleCache.check(file, SampleCache.key("test", "{}", "train", SIZE, 3, source), 7, SIZE, 3)
        .contains("checksum"));
    Source again = new Source();
    SampleSource rebuilt = open(file, again);
    assertEquals(7, again.loads.get());
    assertArrayEquals(SampleCache.loadResized(again, 6, SIZE, 3).labels().ids(), rebuilt.load(6).labels().ids());
  }

  @Test
  void aTruncatedCacheIsRebuilt() throws IOException {
    Path file = dir.resolve("train.bin");
    Source source = new Source();
    open(file, source);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 100);
    }
    String key = SampleCache.key("test", "{}", "train", SIZE, 3, source);
    assertTrue(SampleCache.check(file, key, 7, SIZE, 3).contains("truncated"));
    open(file, source);
    assertNull(SampleCache.check(file, key, 7, SIZE, 3));
    assertTrue(Files.notExists(dir.resolve("train.bin.tmp")));
  }
}
