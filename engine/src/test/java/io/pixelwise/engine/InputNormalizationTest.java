package io.pixelwise.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/** The graph's input normalization, (x - mean) / std per channel, on images of any size. */
class InputNormalizationTest {
  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void everyChannelGetsItsOwnMeanAndStdCorrectlyRounded(int channels) {
    float[] mean = Arrays.copyOf(new float[] {123.675f, 116.28f, 103.53f}, channels);
    float[] std = Arrays.copyOf(new float[] {58.395f, 57.12f, 57.375f}, channels);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TUint8> images = tf.placeholder(TUint8.class, Placeholder.shape(Shape.of(-1, -1, -1, channels)));
      Operand<TFloat32> normalized = SegmentationGraph.normalize(tf, images, mean, std);
      // Two sizes through one graph: the row length is read from each batch, not fixed when the graph is built.
      for (Shape shape : new Shape[] {Shape.of(2, 3, 5, channels), Shape.of(1, 7, 2, channels)}) {
        byte[] pixels = new byte[(int) shape.size()];
        new SplittableRandom(shape.size()).nextBytes(pixels);
        try (TUint8 t = TUint8.tensorOf(shape, data -> data.asRawTensor().data().write(pixels));
            var r = s.runner().feed(images, t).fetch(normalized).run()) {
          TFloat32 got = (TFloat32) r.get(0);
          assertEquals(shape, got.shape());
          long height = shape.get(1);
          long width = shape.get(2);
          for (int i = 0; i < pixels.length; i++) {
            int c = i % channels;
            long pixel = i / channels;
            long[] at = {pixel / width / height, pixel / width % height, pixel % width, c};
            float expected = ((pixels[i] & 0xff) - mean[c]) / std[c];
            float actual = got.getFloat(at);
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual),
                () -> "pixel " + Arrays.toString(at) + ": expected " + expected + ", got " + actual);
          }
        }
      }
    }
  }
}
