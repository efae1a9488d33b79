package io.pixelwise.api.data;

import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
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
    int resize = stored[0] == width && stored[1] == height ? 0
        : stored[0] >= 2 * width && stored[1] >= 2 * height ? 1 : 2;
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
