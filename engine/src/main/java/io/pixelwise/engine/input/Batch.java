package io.pixelwise.engine.input;

import java.util.List;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TUint8;

/**
 * Images (NHWC uint8) and labels (NHW uint8 train ids) of one batch, held in the tensors the
 * session is fed. The input pipeline writes samples straight into pooled tensors, so a training
 * step copies nothing on the way in; {@link #close} hands them back for the next batch.
 *
 * <p>A batch made from byte arrays (one image to predict, test data) gets its tensors on first use.
 */
public final class Batch implements AutoCloseable {
  private final int count;
  private final int height;
  private final int width;
  private final int channels;
  private final List<String> ids;
  private TUint8 images;
  private TUint8 labels;
  private byte[] imageBytes;
  private byte[] labelBytes;
  private final Runnable release;
  private boolean closed;

  /** A batch over byte arrays; {@code labels} is null for unlabelled data. */
  public Batch(int count, int height, int width, int channels, byte[] images, byte[] labels, List<String> ids) {
    this(count, height, width, channels, ids, null, null, null);
    if (images.length != (long) count * height * width * channels || (labels != null && labels.length != (long) count * height * width)) {
      throw new IllegalArgumentException(
          "batch buffers hold " + images.length + (labels == null ? "" : " and " + labels.length)
              + " bytes, expected " + (long) count * height * width * channels + " and " + (long) count * height * width);
    }
    this.imageBytes = images;
    this.labelBytes = labels;
  }

  /**
   * A batch over tensors the caller filled.
   *
   * @param release called once by {@link #close}, to reuse or free the tensors
   */
  Batch(int count, int height, int width, int channels, List<String> ids, TUint8 images, TUint8 labels, Runnable release) {
    this.count = count;
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.ids = ids;
    this.images = images;
    this.labels = labels;
    this.release = release;
  }

  public int count() {
    return count;
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  public int channels() {
    return channels;
  }

  public List<String> ids() {
    return ids;
  }

  public int pixels() {
    return count * height * width;
  }

  public boolean hasLabels() {
    return labels != null || labelBytes != null;
  }

  /** The images as the session's feed, owned by this batch (closed or reused by {@link #close}). */
  public synchronized TUint8 imageTensor() {
    if (images == null) {
      images = TUint8.tensorOf(Shape.of(count, height, width, channels));
      images.asRawTensor().data().write(imageBytes);
    }
    return images;
  }

  /** The labels as the session's feed, owned by this batch. */
  public synchronized TUint8 labelTensor() {
    if (!hasLabels()) {
      throw new IllegalArgumentException("batch " + ids + " has no labels");
    }
    if (labels == null) {
      labels = TUint8.tensorOf(Shape.of(count, height, width));
      labels.asRawTensor().data().write(labelBytes);
    }
    return labels;
  }

  /** The images, NHWC: a copy out of the tensor for pipeline batches (for pictures, not the hot path). */
  public synchronized byte[] images() {
    if (imageBytes == null) {
      imageBytes = new byte[count * height * width * channels];
      images.asRawTensor().data().read(imageBytes);
    }
    return imageBytes;
  }

  /** The labels, NHW, or null for unlabelled data (a copy out of the tensor for pipeline batches). */
  public synchronized byte[] labels() {
    if (labelBytes == null && labels != null) {
      labelBytes = new byte[count * height * width];
      labels.asRawTensor().data().read(labelBytes);
    }
    return labelBytes;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return; // a second release would hand the same tensors to two batches
    }
    closed = true;
    if (release != null) {
      release.run();
    } else {
      // Tensors made on first use from this batch's byte arrays.
      if (images != null) {
        images.close();
      }
      if (labels != null) {
        labels.close();
      }
    }
    images = null;
    labels = null;
  }
}
