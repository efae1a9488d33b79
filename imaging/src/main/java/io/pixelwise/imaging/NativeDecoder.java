package io.pixelwise.imaging;

import io.pixelwise.api.data.RasterImage;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.image.DecodeImage;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * TensorFlow's image decoders (libpng, libjpeg-turbo) and resize kernels in a small graph of its
 * own, shared by every thread of the process. Each call runs in the calling thread (no TensorFlow
 * thread pool in between), so the input pipeline's worker count alone decides the parallelism.
 */
final class NativeDecoder {
  static final NativeDecoder INSTANCE = new NativeDecoder();

  /** Runs every op of a call in the caller's thread. */
  private static final RunOptions INLINE = RunOptions.newBuilder().setInterOpThreadPool(-1).build();

  private final Session session;
  private final Placeholder<TString> contents;
  private final Placeholder<TInt32> size;
  /** By channel mode (0: as stored, 1: RGB): the decoded image, area-resized, bilinear-resized. */
  private final Operand<TUint8>[][] outputs;
  /** Pixels decoded elsewhere (height, width, channels) and their area and bilinear resizes. */
  private final Placeholder<TUint8> pixels;
  private final Operand<TUint8>[] resized;

  @SuppressWarnings("unchecked")
  private NativeDecoder() {
    Graph graph = new Graph();
    Ops tf = Ops.create(graph);
    contents = tf.withName("contents").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    size = tf.withName("size").placeholder(TInt32.class, Placeholder.shape(Shape.of(2)));
    outputs = new Operand[2][];
    for (int rgb = 0; rgb < 2; rgb++) {
      Ops mode = tf.withSubScope(rgb == 1 ? "rgb" : "stored");
      Operand<TUint8> decoded =
          mode.image.decodeImage(contents, TUint8.class, DecodeImage.channels(rgb == 1 ? 3L : 0L), DecodeImage.expandAnimations(false));
      Operand<TUint8> batch = mode.expandDims(decoded, mode.constant(0));
      outputs[rgb] = new Operand[] {
        decoded,
        toBytes(mode, mode.image.resizeArea(batch, size)),
        toBytes(mode, mode.image.resizeBilinear(batch, size, ResizeBilinear.halfPixelCenters(true)))
      };
    }
    pixels = tf.withName("pixels").placeholder(TUint8.class, Placeholder.shape(Shape.unknown()));
    Ops resize = tf.withSubScope("resize");
    Operand<TUint8> batch = resize.expandDims(pixels, resize.constant(0));
    resized = new Operand[] {
      toBytes(resize, resize.image.resizeArea(batch, size)),
      toBytes(resize, resize.image.resizeBilinear(batch, size, ResizeBilinear.halfPixelCenters(true)))
    };
    // One intra-op thread: a kernel that shards its work then runs it in the calling thread.
    ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(1).setInterOpParallelismThreads(1).build();
    // Lives as long as the process: closing it in a shutdown hook could pull it from under a
    // loader thread still decoding.
    session = new Session(graph, config);
  }

  private static Operand<TUint8> toBytes(Ops tf, Operand<TFloat32> resized) {
    // Interpolated values of 8-bit inputs stay within 0..255: rounding is all that is needed.
    return tf.squeeze(tf.dtypes.cast(tf.math.round(resized), TUint8.class), Squeeze.axis(List.of(0L)));
  }

  /**
   * @param stored the width and height the header declares
   */
  RasterImage decode(byte[] bytes, int[] stored, int width, int height, boolean rgb) {
    int resize = resizeMode(stored[0], stored[1], width, height);
    try (TString file = TString.tensorOfBytes(NdArrays.scalarOfObject(bytes));
        TInt32 target = TInt32.vectorOf(height, width);
        Result result = session.runner().setOptions(INLINE)
            .feed(contents, file).feed(size, target).fetch(outputs[rgb ? 1 : 0][resize]).run()) {
      TUint8 image = (TUint8) result.get(0);
      Shape shape = image.shape();
      int h = (int) shape.get(0);
      int w = (int) shape.get(1);
      int channels = (int) shape.get(2);
      if (h != height || w != width) {
        throw new IllegalStateException("decoded " + w + "x" + h + " pixels, the header says " + stored[0] + "x" + stored[1]);
      }
      byte[] pixels = new byte[h * w * channels];
      image.asRawTensor().data().read(pixels);
      return dropAlpha(w, h, channels, pixels);
    }
  }

  /** 0: none, 1: area average (shrinking 2x or more both ways, where bilinear would alias), 2: bilinear. */
  private static int resizeMode(int storedWidth, int storedHeight, int width, int height) {
    return storedWidth == width && storedHeight == height ? 0
        : storedWidth >= 2 * width && storedHeight >= 2 * height ? 1 : 2;
  }

  /** Resizes decoded pixels as {@link #decode} resizes what it decodes. */
  RasterImage resize(RasterImage image, int width, int height) {
    int mode = resizeMode(image.width(), image.height(), width, height);
    if (mode == 0) {
      return image;
    }
    Shape shape = Shape.of(image.height(), image.width(), image.channels());
    try (TUint8 input = TUint8.tensorOf(shape, DataBuffers.of(image.pixels(), true, false));
        TInt32 target = TInt32.vectorOf(height, width);
        Result result = session.runner().setOptions(INLINE)
            .feed(pixels, input).feed(size, target).fetch(resized[mode - 1]).run()) {
      byte[] out = new byte[height * width * image.channels()];
      ((TUint8) result.get(0)).asRawTensor().data().read(out);
      return new RasterImage(width, height, image.channels(), out);
    }
  }

  /** Grey + alpha becomes grey, RGBA becomes RGB (as ImageIO's accessors see these images). */
  private static RasterImage dropAlpha(int w, int h, int channels, byte[] pixels) {
    if (channels == 1 || channels == 3) {
      return new RasterImage(w, h, channels, pixels);
    }
    int keep = channels - 1;
    byte[] out = new byte[w * h * keep];
    for (int i = 0, n = w * h; i < n; i++) {
      System.arraycopy(pixels, i * channels, out, i * keep, keep);
    }
    return new RasterImage(w, h, keep, out);
  }
}
