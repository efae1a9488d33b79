package io.pixelwise.engine.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.data.RasterImage;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {
  private static final InputSize SIZE = new InputSize(4, 6);
  private final ExecutorService workers = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    workers.shutdownNow();
  }

  /** Ten samples; number 2 is a corrupt file. */
  private static final SampleSource SOURCE = new SampleSource() {
    @Override
    public int size() {
      return 10;
    }

    @Override
    public Sample load(int index) throws IOException {
      if (index == 2) {
        throw new IOException("data/broken_000002.png: cannot decode image (corrupt or truncated?)");
      }
      byte[] px = new byte[6 * 4 * 3];
      java.util.Arrays.fill(px, (byte) index);
      return new Sample("s" + index, new RasterImage(6, 4, 3, px), new LabelMap(6, 4, new byte[24]));
    }
  };

  private static List<String> readAll(BatchLoader loader) {
    List<String> ids = new ArrayList<>();
    while (loader.hasNext()) {
      Batch b = loader.next();
      assertEquals(b.count() * 24 * 3, b.images().length);
      ids.addAll(b.ids());
    }
    return ids;
  }

  @Test
  void aBadSampleStopsThePassNamingTheFile() {
    var options = new BatchLoader.Options(4, SIZE, 3, 1L, false, 2);
    try (BatchLoader loader = new BatchLoader(SOURCE, options, workers)) {
      var e = assertThrows(UncheckedIOException.class, () -> readAll(loader));
      assertTrue(e.getMessage().contains("broken_000002.png"), e.getMessage());
    }
  }

  @Test
  void withSkipBadSamplesItIsSkippedAndCounted() {
    var options = new BatchLoader.Options(4, SIZE, 3, 1L, false, 2, Augmentation.NONE, true);
    try (BatchLoader loader = new BatchLoader(SOURCE, options, workers)) {
      List<String> ids = readAll(loader);
      assertEquals(9, ids.size());
      assertFalse(ids.contains("s2"));
      assertEquals(1, loader.skipped());
    }
  }

  @Test
  void theSameSeedGivesTheSameOrder() {
    var options = new BatchLoader.Options(3, SIZE, 3, 7L, true, 2, Augmentation.NONE, true);
    List<String> a;
    List<String> b;
    try (BatchLoader loader = new BatchLoader(SOURCE, options, workers)) {
      a = readAll(loader);
    }
    try (BatchLoader loader = new BatchLoader(SOURCE, options, workers)) {
      b = readAll(loader);
    }
    assertEquals(a, b);
    assertFalse(a.equals(List.of("s0", "s1", "s3", "s4", "s5", "s6", "s7", "s8", "s9")), "not shuffled");
  }

  @Test
  void closedBatchesHandTheirTensorsToLaterBatchesWhichHoldTheirOwnSamples() {
    SampleSource clean = new SampleSource() {
      @Override
      public int size() {
        return 31;
      }

      @Override
      public Sample load(int index) {
        byte[] px = new byte[6 * 4 * 3];
        java.util.Arrays.fill(px, (byte) (10 + index));
        byte[] ids = new byte[24];
        java.util.Arrays.fill(ids, (byte) index);
        return new Sample("s" + index, new RasterImage(6, 4, 3, px), new LabelMap(6, 4, ids));
      }
    };
    var options = new BatchLoader.Options(3, SIZE, 3, 5L, false, 2);
    List<Object> tensors = new ArrayList<>();
    int seen = 0;
    try (BatchLoader loader = new BatchLoader(clean, options, workers)) {
      while (loader.hasNext()) {
        try (Batch b = loader.next()) {
          tensors.add(b.imageTensor());
          for (int i = 0; i < b.count(); i++) {
            int index = Integer.parseInt(b.ids().get(i).substring(1));
            for (int p = 0; p < 72; p++) {
              assertEquals(10 + index, b.images()[i * 72 + p], b.ids().get(i) + " image byte " + p);
            }
            for (int p = 0; p < 24; p++) {
              assertEquals(index, b.labels()[i * 24 + p], b.ids().get(i) + " label " + p);
            }
            seen++;
          }
        }
      }
    }
    assertEquals(31, seen);
    // At most three full batches exist at once (the one being used, two loaded ahead): ten full
    // batches share at most three tensors. The short last batch gets its own.
    java.util.Set<Object> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    distinct.addAll(tensors.subList(0, 10));
    assertTrue(distinct.size() <= 3, distinct.size() + " tensors for 10 batches");
    assertFalse(distinct.contains(tensors.get(10)), "the short last batch has a tensor of its own shape");
  }

  /**
   * Three processes holding 1, 2 and 1 of 4 replicas read the parts of every batch that the whole
   * batch's reader cuts for those replicas, flips included: in batches of 3 (and the short last
   * one of 1) some parts are empty.
   */
  @Test
  void shardsReadTheirReplicasSlicesOfEveryBatch() {
    SampleSource clean = new SampleSource() {
      @Override
      public int size() {
        return 10;
      }

      @Override
      public Sample load(int index) {
        byte[] px = new byte[6 * 4 * 3];
        for (int p = 0; p < px.length; p++) {
          px[p] = (byte) (index * 7 + p);
        }
        return new Sample("s" + index, new RasterImage(6, 4, 3, px), new LabelMap(6, 4, new byte[24]));
      }
    };
    var options = new BatchLoader.Options(3, SIZE, 3, 11L, true, 2);
    List<List<String>> whole = new ArrayList<>();
    List<byte[]> wholeImages = new ArrayList<>();
    try (BatchLoader loader = new BatchLoader(clean, options, workers)) {
      while (loader.hasNext()) {
        try (Batch b = loader.next()) {
          whole.add(b.ids());
          wholeImages.add(b.images().clone());
        }
      }
    }
    int[][] shards = {{0, 1}, {1, 2}, {3, 1}};
    List<List<String>> joined = new ArrayList<>();
    List<java.io.ByteArrayOutputStream> joinedImages = new ArrayList<>();
    for (int k = 0; k < whole.size(); k++) {
      joined.add(new ArrayList<>());
      joinedImages.add(new java.io.ByteArrayOutputStream());
    }
    for (int[] s : shards) {
      try (BatchLoader loader = new BatchLoader(clean, options, workers, new BatchLoader.Shard(4, s[0], s[1]))) {
        int k = 0;
        while (loader.hasNext()) {
          try (Batch b = loader.next()) {
            joined.get(k).addAll(b.ids());
            joinedImages.get(k).writeBytes(b.images());
            if (k == whole.size() - 1) {
              // The last batch holds 1 image: replica 0's; the others' parts are empty.
              assertEquals(s[0] == 0 ? 1 : 0, b.count(), "last part of replicas from " + s[0]);
            }
            k++;
          }
        }
        assertEquals(whole.size(), k);
      }
    }
    assertEquals(whole, joined);
    for (int k = 0; k < whole.size(); k++) {
      assertTrue(java.util.Arrays.equals(wholeImages.get(k), joinedImages.get(k).toByteArray()), "images of batch " + k);
    }
  }

  @Test
  void anUnlabelledSampleAmongLabelledOnesIsRefusedNotTrainedAsClassZero() {
    SampleSource mixed = new SampleSource() {
      @Override
      public int size() {
        return 4;
      }

      @Override
      public Sample load(int index) {
        LabelMap labels = index == 2 ? null : new LabelMap(6, 4, new byte[24]);
        return new Sample("s" + index, new RasterImage(6, 4, 3, new byte[72]), labels);
      }
    };
    try (BatchLoader loader = new BatchLoader(mixed, new BatchLoader.Options(4, SIZE, 3, null, false, 1), workers)) {
      IllegalStateException e = assertThrows(IllegalStateException.class, loader::next);
      assertTrue(e.getMessage().startsWith("s2 has no labels"), e.getMessage());
    }
  }

  @Test
  void closingABatchTwiceReleasesItsTensorsOnce() {
    var options = new BatchLoader.Options(2, SIZE, 3, null, false, 1);
    SampleSource ten = new SampleSource() {
      @Override
      public int size() {
        return 10;
      }

      @Override
      public Sample load(int index) {
        return new Sample("s" + index, new RasterImage(6, 4, 3, new byte[72]), new LabelMap(6, 4, new byte[24]));
      }
    };
    List<Batch> open = new ArrayList<>();
    try (BatchLoader loader = new BatchLoader(ten, options, workers)) {
      Batch first = loader.next();
      first.imageTensor();
      first.close();
      first.close();
      while (loader.hasNext()) {
        open.add(loader.next());
      }
      // All four later batches are open together: a tensor released twice would be in two of them.
      java.util.Set<Object> tensors = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      open.forEach(batch -> tensors.add(batch.imageTensor()));
      assertEquals(4, tensors.size(), "a tensor handed to two open batches");
    } finally {
      open.forEach(Batch::close);
    }
  }
}
