package io.pixelwise.runner.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.summary.SummaryWriter;
import org.tensorflow.op.summary.WriteImageSummary;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * A TensorBoard event file in the run folder ({@code tensorboard --logdir RUN_DIR}), written by
 * TensorFlow's own summary ops ({@code CreateSummaryFileWriter}, {@code WriteScalarSummary},
 * {@code WriteImageSummary}) in a small graph of its own, beside the model's.
 */
public final class TensorBoardWriter implements AutoCloseable {
  private static final AtomicLong INSTANCES = new AtomicLong();
  private static final String SUFFIX = ".pixelwise";

  private final Graph graph = new Graph();
  private final Session session;
  private final Placeholder<TInt64> step;
  private final Placeholder<TString> tag;
  private final Placeholder<TFloat32> value;
  private final Placeholder<TUint8> image;
  private final Op writeScalar;
  private final Op writeImage;
  private final Op flush;
  private final Op closeWriter;
  private final Path file;

  private TensorBoardWriter(Path dir) throws IOException {
    Ops tf = Ops.create(graph);
    step = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    tag = tf.placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    value = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    image = tf.placeholder(TUint8.class, Placeholder.shape(Shape.of(1, -1, -1, 3)));
    SummaryWriter writer =
        tf.summary.summaryWriter(SummaryWriter.sharedName("pixelwise-events-" + INSTANCES.incrementAndGet()));
    Op create = tf.summary.createSummaryFileWriter(
        writer, tf.constant(dir.toAbsolutePath().toString()), tf.constant(10), tf.constant(5000), tf.constant(SUFFIX));
    writeScalar = tf.summary.writeScalarSummary(writer, step, tag, value);
    writeImage = tf.summary.writeImageSummary(
        writer, step, tag, image, tf.constant(Shape.of(3), DataBuffers.of(new byte[] {(byte) 255, 0, 0})),
        WriteImageSummary.maxImages(1L));
    flush = tf.summary.flushSummaryWriter(writer);
    closeWriter = tf.summary.closeSummaryWriter(writer);
    session = new Session(graph);
    try {
      List<Path> before = events(dir);
      // Separate runs: ops in one run have no order unless they depend on each other.
      session.runner().addTarget(create).run();
      session.runner().addTarget(flush).run();
      file = events(dir).stream().filter(p -> !before.contains(p)).findFirst()
          .orElseThrow(() -> new IOException("TensorFlow created no event file in " + dir));
    } catch (TensorFlowException | IOException e) {
      close();
      throw e instanceof IOException io ? io : new IOException("cannot start TensorBoard events in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Starts a new event file in {@code dir}. */
  public static TensorBoardWriter create(Path dir) throws IOException {
    return new TensorBoardWriter(dir);
  }

  private static List<Path> events(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")
          && p.getFileName().toString().endsWith(SUFFIX)).toList();
    }
  }

  public Path file() {
    return file;
  }

  public void scalar(String name, long at, double v) throws IOException {
    if (!Double.isFinite(v)) {
      return; // an absent class has no IoU; TensorBoard shows the gap
    }
    try (TInt64 s = TInt64.scalarOf(at); TString t = TString.scalarOf(name); TFloat32 x = TFloat32.scalarOf((float) v)) {
      session.runner().feed(step, s).feed(tag, t).feed(value, x).addTarget(writeScalar).run();
      session.runner().addTarget(flush).run();
    } catch (TensorFlowException e) {
      throw new IOException("cannot write to " + file + ": " + e.getMessage(), e);
    }
  }

  public void image(String name, long at, BufferedImage picture) throws IOException {
    int w = picture.getWidth();
    int h = picture.getHeight();
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int c = picture.getRGB(x, y);
        int i = 3 * (y * w + x);
        rgb[i] = (byte) (c >> 16);
        rgb[i + 1] = (byte) (c >> 8);
        rgb[i + 2] = (byte) c;
      }
    }
    try (TInt64 s = TInt64.scalarOf(at); TString t = TString.scalarOf(name);
        TUint8 pixels = TUint8.tensorOf(Shape.of(1, h, w, 3), DataBuffers.of(rgb, true, false))) {
      session.runner().feed(step, s).feed(tag, t).feed(image, pixels).addTarget(writeImage).run();
      session.runner().addTarget(flush).run();
    } catch (TensorFlowException e) {
      throw new IOException("cannot write to " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      session.runner().addTarget(closeWriter).run();
    } catch (TensorFlowException e) {
      // Already closed, or never opened: nothing left to flush.
    } finally {
      session.close();
      graph.close();
    }
  }
}
