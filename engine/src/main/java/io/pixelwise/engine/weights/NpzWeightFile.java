package io.pixelwise.engine.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A NumPy {@code .npz}: a zip (stored or deflated) of {@code .npy} arrays named by their keys.
 * Reads C-order float32 and float64 arrays of either byte order; other arrays are listed as
 * unsupported and fail only when read.
 */
final class NpzWeightFile implements WeightFile {
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  private record Header(long[] shape, String descr, boolean fortran, int dataOffset) {}

  private final Path path;
  private final ZipFile zip;
  private final Map<String, ZipEntry> zipEntries = new LinkedHashMap<>();
  private final List<Entry> entries = new ArrayList<>();

  NpzWeightFile(Path path) throws IOException {
    this.path = path;
    this.zip = new ZipFile(path.toFile());
    for (ZipEntry e : Collections.list(zip.entries())) {
      if (e.isDirectory() || !e.getName().endsWith(".npy")) {
        continue;
      }
      String name = e.getName().substring(0, e.getName().length() - 4);
      Header h;
      try (InputStream in = zip.getInputStream(e)) {
        h = header(in.readNBytes(65_536 + 12), name);
      }
      zipEntries.put(name, e);
      entries.add(new Entry(name, h.shape(), typeName(h.descr())));
    }
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public List<Entry> entries() {
    return Collections.unmodifiableList(entries);
  }

  @Override
  public float[] read(String name) throws IOException {
    ZipEntry e = zipEntries.get(name);
    if (e == null) {
      throw new IllegalArgumentException(path + ": no array '" + name + "'");
    }
    byte[] bytes;
    try (InputStream in = zip.getInputStream(e)) {
      bytes = in.readAllBytes();
    }
    Header h = header(bytes, name);
    if (h.fortran()) {
      throw new IllegalArgumentException(path + ": array '" + name + "' is stored in Fortran order; save it in C order");
    }
    int n = Math.toIntExact(Arrays.stream(h.shape()).reduce(1, (a, b) -> a * b));
    ByteOrder order =
        switch (h.descr().charAt(0)) {
          case '<', '|' -> ByteOrder.LITTLE_ENDIAN;
          case '>' -> ByteOrder.BIG_ENDIAN;
          default -> ByteOrder.nativeOrder();
        };
    ByteBuffer b = ByteBuffer.wrap(bytes, h.dataOffset(), bytes.length - h.dataOffset()).slice().order(order);
    float[] values = new float[n];
    switch (h.descr().substring(1)) {
      case "f4" -> b.asFloatBuffer().get(values);
      case "f8" -> {
        var d = b.asDoubleBuffer();
        for (int i = 0; i < n; i++) {
          values[i] = (float) d.get(i);
        }
      }
      default ->
          throw new IllegalArgumentException(
              path + ": array '" + name + "' has dtype '" + h.descr() + "'; expected float32 or float64");
    }
    return values;
  }

  /** float32 / float64 for what {@link #read} converts, NumPy's descr otherwise. */
  private static String typeName(String descr) {
    return switch (descr.substring(1)) {
      case "f4" -> "float32";
      case "f8" -> "float64";
      default -> descr + " (unsupported)";
    };
  }

  private Header header(byte[] bytes, String name) {
    String where = path + ": array '" + name + "'";
    if (bytes.length < 10 || (bytes[0] & 0xff) != 0x93 || !new String(bytes, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY")) {
      throw new IllegalArgumentException(where + " is not in .npy format");
    }
    int major = bytes[6];
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int length = major == 1 ? Short.toUnsignedInt(b.getShort(8)) : b.getInt(8);
    int start = major == 1 ? 10 : 12;
    if (start + length > bytes.length) {
      throw new IllegalArgumentException(where + ": truncated .npy header");
    }
    String text = new String(bytes, start, length, major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    long[] shape =
        Arrays.stream(find(SHAPE, text, where).split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .mapToLong(Long::parseLong)
            .toArray();
    return new Header(shape, find(DESCR, text, where), find(FORTRAN, text, where).equals("True"), start + length);
  }

  private static String find(Pattern p, String header, String where) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IllegalArgumentException(where + ": .npy header lacks " + p.pattern() + ": " + header);
    }
    return m.group(1);
  }

  @Override
  public void close() throws IOException {
    zip.close();
  }
}
