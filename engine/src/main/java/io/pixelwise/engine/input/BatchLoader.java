package io.pixelwise.engine.input;

import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.data.RasterImage;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.imaging.ImageDecoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.types.TUint8;

/**
 * One pass over a split in batches, loaded ahead of the consumer on worker threads straight into
 * the tensors the session is fed (reused once the consumer closes a batch). The order
 * (shuffled by seed or sequential) and the flips are decided up front from the seed, so a pass is
 * reproducible whatever the threads do.
 */
public final class BatchLoader implements Iterator<Batch>, AutoCloseable {

  /** How to read a split. */
  public record Options(
      int batchSize, InputSize size, int channels, Long shuffleSeed, boolean hflip, int prefetch,
      Augmentation augment, boolean skipBadSamples) {

    public Options(int batchSize, InputSize size, int channels, Long shuffleSeed, boolean hflip, int prefetch) {
      this(batchSize, size, channels, shuffleSeed, hflip, prefetch, Augmentation.NONE, false);
    }
  }

  /**
   * Which part of every batch to read: the slices of replicas {@code first} to {@code first + count - 1}
   * of {@code replicas}, cut as the data-parallel step cuts a batch (the first {@code n mod replicas}
   * slices get one image more), so that a process holding some replicas reads just their images.
   */
  public record Shard(int replicas, int first, int count) {
    public Shard {
      if (replicas < 1 || first < 0 || count < 1 || first + count > replicas) {
        throw new IllegalArgumentException("shard of replicas " + first + ".." + (first + count - 1) + " of " + replicas);
      }
    }

    /** Where slice {@code i} starts in a batch of {@code n} images. */
    static int offset(int n, int i, int replicas) {
      return i * (n / replicas) + Math.min(i, n % replicas);
    }

    int from(int n) {
      return offset(n, first, replicas);
    }

    int to(int n) {
      return offset(n, first + count, replicas);
    }
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BatchLoader.class);
  private final java.util.concurrent.atomic.AtomicInteger skipped = new java.util.concurrent.atomic.AtomicInteger();

  private final SampleSource source;
  private final Options options;
  private final ExecutorService workers;
  private final Shard shard;
  /** The images of a full batch's part: batches of this size reuse pooled tensors. */
  private final int fullCount;
  private final int[] order;
  private final boolean[] flips;
  private final long[] augmentSeeds;
  private final Deque<Future<Batch>> ahead = new ArrayDeque<>();
  private int nextToSubmit;
  /** Full-size batch tensors handed back by closed batches, for the next ones to fill. */
  private final Deque<TUint8> freeImages = new ArrayDeque<>();
  private final Deque<TUint8> freeLabels = new ArrayDeque<>();
  private boolean closed;

  public BatchLoader(SampleSource source, Options options, ExecutorService workers) {
    this(source, options, workers, null);
  }

  /**
   * Reads only {@code shard}'s part of every batch (all of it if null): the same samples, order,
   * flips and augmentation as the whole batch's reader gives that part. A part without images is a
   * batch of 0 images.
   */
  public BatchLoader(SampleSource source, Options options, ExecutorService workers, Shard shard) {
    this.source = source;
    this.options = options;
    this.workers = workers;
    this.shard = shard;
    this.fullCount = shard == null ? options.batchSize() : shard.to(options.batchSize()) - shard.from(options.batchSize());
    int n = source.size();
    order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    flips = new boolean[n];
    augmentSeeds = new long[n];
    if (options.shuffleSeed() != null) {
      SplittableRandom random = new SplittableRandom(options.shuffleSeed());
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (int i = 0; i < n; i++) {
        flips[i] = options.hflip() && random.nextBoolean();
      }
      for (int i = 0; i < n; i++) {
        augmentSeeds[i] = random.nextLong();
      }
    }
    for (int i = 0; i < Math.max(1, options.prefetch()); i++) {
      submitNext();
    }
  }

  public int batches() {
    return (order.length + options.batchSize() - 1) / options.batchSize();
  }

  @Override
  public boolean hasNext() {
    return !ahead.isEmpty();
  }

  @Override
  public Batch next() {
    if (ahead.isEmpty()) {
      throw new NoSuchElementException();
    }
    Future<Batch> f = ahead.removeFirst();
    submitNext();
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while loading data", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    }
  }

  private void submitNext() {
    int start = nextToSubmit * options.batchSize();
    if (start >= order.length) {
      return;
    }
    int end = Math.min(order.length, start + options.batchSize());
    nextToSubmit++;
    int from = shard == null ? start : start + shard.from(end - start);
    int to = shard == null ? end : start + shard.to(end - start);
    ahead.addLast(workers.submit(() -> assemble(from, to)));
  }

  private Batch assemble(int start, int end) {
    int h = options.size().height();
    int w = options.size().width();
    int c = options.channels();
    List<Sample> samples = new ArrayList<>(end - start);
    List<Integer> positions = new ArrayList<>(end - start);
    for (int p = start; p < end; p++) {
      try {
        samples.add(source.load(order[p]));
        positions.add(p);
      } catch (IOException | UncheckedIOException e) {
        if (!options.skipBadSamples()) {
          throw e instanceof UncheckedIOException u ? u : new UncheckedIOException(e.getMessage(), (IOException) e);
        }
        skipped.incrementAndGet();
        LOG.warn("skipping a bad sample (data.skip-bad-samples = true): {}", e.getMessage());
      }
    }
    if (samples.isEmpty() && start < end) {
      throw new IllegalStateException(
          "every sample of a batch failed to load (positions " + start + ".." + (end - 1) + "); see the warnings above");
    }
    int count = samples.size();
    boolean full = count == fullCount;
    // An empty part of a labelled split (a shard without images) keeps its (empty) labels.
    boolean labelled = samples.isEmpty() || samples.stream().anyMatch(s -> s.labels() != null);
    TUint8 images = take(freeImages, Shape.of(count, h, w, c), full);
    TUint8 labels = labelled ? take(freeLabels, Shape.of(count, h, w), full) : null;
    try {
      ByteDataBuffer imageData = images.asRawTensor().data();
      ByteDataBuffer labelData = labelled ? labels.asRawTensor().data() : null;
      List<String> ids = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        Sample s = samples.get(i);
        int position = positions.get(i);
        ids.add(s.id());
        RasterImage img = ImageDecoding.resize(toChannels(s.image(), c, s.id()), w, h);
        LabelMap lm = s.labels() == null ? null : s.labels().resized(w, h);
        if (options.shuffleSeed() != null && !options.augment().isNone()) {
          Augmentation.Result augmented = options.augment().apply(img, lm, augmentSeeds[position]);
          img = augmented.image();
          lm = augmented.labels();
        }
        imageData.offset((long) i * h * w * c).write(oriented(img.pixels(), w, c, flips[position]));
        if (labelled) {
          if (lm == null) {
            // Zeros would train it as class 0: a silent wrong label.
            throw new IllegalStateException(
                s.id() + " has no labels but other samples of its split have: a dataset must label all or none");
          }
          labelData.offset((long) i * h * w).write(oriented(lm.ids(), w, 1, flips[position]));
        }
      }
      return new Batch(count, h, w, c, ids, images, labels, () -> {
        give(freeImages, images, full);
        give(freeLabels, labels, full);
      });
    } catch (RuntimeException e) {
      images.close();
      if (labels != null) {
        labels.close();
      }
      throw e;
    }
  }

  private synchronized TUint8 take(Deque<TUint8> free, Shape shape, boolean pooled) {
    TUint8 reused = pooled ? free.poll() : null;
    return reused != null ? reused : TUint8.tensorOf(shape);
  }

  private synchronized void give(Deque<TUint8> free, TUint8 tensor, boolean pooled) {
    if (tensor == null) {
      return;
    }
    if (pooled && !closed) {
      free.push(tensor);
    } else {
      tensor.close();
    }
  }

  /** Samples skipped so far because they failed to load (only with {@code skipBadSamples}). */
  public int skipped() {
    return skipped.get();
  }

  /** The pixels as they are, or mirrored left to right. */
  private static byte[] oriented(byte[] src, int width, int channels, boolean flip) {
    if (!flip) {
      return src;
    }
    byte[] dst = new byte[src.length];
    int row = width * channels;
    for (int r = 0; r < src.length / row; r++) {
      for (int x = 0; x < width; x++) {
        System.arraycopy(src, r * row + x * channels, dst, r * row + (width - 1 - x) * channels, channels);
      }
    }
    return dst;
  }

  public static RasterImage toChannels(RasterImage img, int channels, String id) {
    if (img.channels() == channels) {
      return img;
    }
    int n = img.width() * img.height();
    byte[] out = new byte[n * channels];
    if (img.channels() == 1 && channels == 3) {
      for (int i = 0; i < n; i++) {
        out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = img.pixels()[i];
      }
    } else if (img.channels() == 3 && channels == 1) {
      for (int i = 0; i < n; i++) {
        int r = img.pixels()[3 * i] & 0xff;
        int g = img.pixels()[3 * i + 1] & 0xff;
        int b = img.pixels()[3 * i + 2] & 0xff;
        out[i] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      }
    } else {
      throw new IllegalArgumentException(id + ": cannot convert " + img.channels() + " channels to " + channels);
    }
    return new RasterImage(img.width(), img.height(), channels, out);
  }

  /**
   * Stops loading ahead; batches already being loaded finish in the background. Pooled tensors
   * are freed here, and those of batches still open when they are closed.
   */
  @Override
  public void close() {
    ahead.forEach(f -> f.cancel(false));
    ahead.clear();
    synchronized (this) {
      closed = true;
      freeImages.forEach(TUint8::close);
      freeLabels.forEach(TUint8::close);
      freeImages.clear();
      freeLabels.clear();
    }
  }
}
