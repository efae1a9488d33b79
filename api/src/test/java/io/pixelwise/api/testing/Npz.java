package io.pixelwise.api.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import io.pixelwise.api.graph.ModelVariable;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Reads the float32 arrays of a NumPy {@code .npz} (a zip of {@code .npy} files, as {@code
 * numpy.savez} writes them): enough for test fixtures made by reference implementations.
 */
public final class Npz {
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  /** One array: C-order values and shape. */
  public record Array(Shape shape, float[] values) {}

  private Npz() {}

  /** The arrays of a class-path resource, by name (the entry name without {@code .npy}). */
  public static Map<String, Array> resource(Class<?> anchor, String name) {
    try (InputStream in = anchor.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalArgumentException("no resource " + name + " next to " + anchor.getName());
      }
      return read(in, name);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + name + ": " + e.getMessage(), e);
    }
  }

  public static Map<String, Array> read(InputStream in, String source) throws IOException {
    Map<String, Array> arrays = new LinkedHashMap<>();
    try (ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        if (e.isDirectory() || !e.getName().endsWith(".npy")) {
          continue;
        }
        String name = e.getName().substring(0, e.getName().length() - 4);
        arrays.put(name, npy(zip.readAllBytes(), source + ":" + e.getName()));
      }
    }
    return arrays;
  }

  /** Parses one {@code .npy} (format versions 1 to 3) holding little-endian float32 or float64. */
  static Array npy(byte[] bytes, String where) {
    if (bytes.length < 10 || (bytes[0] & 0xff) != 0x93 || !new String(bytes, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY")) {
      throw new IllegalArgumentException(where + ": not a .npy array (bad magic)");
    }
    int major = bytes[6];
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength = major == 1 ? Short.toUnsignedInt(b.getShort(8)) : b.getInt(8);
    int offset = major == 1 ? 10 : 12;
    String header = new String(bytes, offset, headerLength, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, where);
    if (group(FORTRAN, header, where).equals("True")) {
      throw new IllegalArgumentException(where + ": Fortran-order arrays are not supported; save C-order arrays");
    }
    long[] dims =
        Arrays.stream(group(SHAPE, header, where).split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .mapToLong(Long::parseLong)
            .toArray();
    Shape shape = Shape.of(dims);
    int n = Math.toIntExact(shape.size());
    float[] values = new float[n];
    b.position(offset + headerLength);
    switch (descr) {
      case "<f4" -> b.asFloatBuffer().get(values);
      case "<f8" -> {
        var d = b.asDoubleBuffer();
        for (int i = 0; i < n; i++) {
          values[i] = (float) d.get(i);
        }
      }
      default ->
          throw new IllegalArgumentException(where + ": dtype '" + descr + "' is not supported; expected '<f4' or '<f8'");
    }
    return new Array(shape, values);
  }

  /**
   * An op that sets every variable to the array of the same name (its path), for running a model
   * on reference weights; a missing or mis-shaped array is an error naming it.
   */
  public static Op assign(Ops tf, List<ModelVariable> variables, Map<String, Array> arrays) {
    List<Op> assigns = new ArrayList<>();
    for (ModelVariable v : variables) {
      Array a = arrays.get(v.path());
      if (a == null) {
        throw new IllegalArgumentException("fixture has no array '" + v.path() + "'; it has " + arrays.keySet());
      }
      if (!Arrays.equals(a.shape().asArray(), v.shape().asArray())) {
        throw new IllegalArgumentException(
            "fixture array '" + v.path() + "' has shape " + a.shape() + ", the variable " + v.shape());
      }
      assigns.add(tf.assignVariableOp(v.handle(), constant(tf, a)));
    }
    return tf.withControlDependencies(assigns).noOp();
  }

  /** The array as a graph constant. */
  public static Operand<TFloat32> constant(Ops tf, Array a) {
    return tf.constant(a.shape(), DataBuffers.of(a.values(), true, false));
  }

  private static String group(Pattern p, String header, String where) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IllegalArgumentException(where + ": .npy header without " + p.pattern() + ": " + header);
    }
    return m.group(1);
  }
}
