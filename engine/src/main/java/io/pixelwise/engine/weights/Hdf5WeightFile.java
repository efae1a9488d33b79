package io.pixelwise.engine.weights;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An HDF5 file (Keras weights): every numeric dataset, named by its path without the leading
 * slash, e.g. {@code block1_conv1/block1_conv1_W_1:0}. Read with jHDF, in pure Java.
 */
final class Hdf5WeightFile implements WeightFile {
  private final Path path;
  private final HdfFile file;
  private final Map<String, Dataset> datasets = new LinkedHashMap<>();
  private final List<Entry> entries = new ArrayList<>();

  Hdf5WeightFile(Path path) {
    this.path = path;
    this.file = new HdfFile(path);
    try {
      collect(file);
    } catch (RuntimeException e) {
      file.close();
      throw e;
    }
  }

  private void collect(Group group) {
    for (Node node : group.getChildren().values()) {
      if (node instanceof Group g) {
        collect(g);
      } else if (node instanceof Dataset d && (d.getJavaType() == float.class || d.getJavaType() == double.class)) {
        String name = d.getPath().startsWith("/") ? d.getPath().substring(1) : d.getPath();
        datasets.put(name, d);
        entries.add(new Entry(name, Arrays.stream(d.getDimensions()).asLongStream().toArray(), d.getJavaType() == float.class ? "float32" : "float64"));
      }
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
  public float[] read(String name) {
    Dataset d = datasets.get(name);
    if (d == null) {
      throw new IllegalArgumentException(path + ": no dataset '" + name + "'");
    }
    Object flat = d.isScalar() ? null : d.getDataFlat();
    if (flat instanceof float[] f) {
      return f;
    }
    if (flat instanceof double[] v) {
      float[] f = new float[v.length];
      for (int i = 0; i < v.length; i++) {
        f[i] = (float) v[i];
      }
      return f;
    }
    throw new IllegalArgumentException(path + ": dataset '" + name + "' is not a float array");
  }

  @Override
  public void close() {
    file.close();
  }
}
