package io.pixelwise.engine.weights;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** A file of named float arrays (pretrained weights), read lazily one array at a time. */
public interface WeightFile extends AutoCloseable {

  /** One array's name, shape and stored element type. */
  record Entry(String name, long[] shape, String type) {
    public long size() {
      return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    public String describeShape() {
      return Arrays.toString(shape);
    }
  }

  Path path();

  /** Every numeric array, in file order. */
  List<Entry> entries();

  /** The array's values in row-major (C) order, as float32. */
  float[] read(String name) throws IOException;

  @Override
  void close() throws IOException;
}
