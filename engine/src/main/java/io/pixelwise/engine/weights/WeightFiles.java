package io.pixelwise.engine.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/** Opens a weight file by its content: HDF5 (Keras {@code .h5}) or NumPy {@code .npz}. */
public final class WeightFiles {
  private static final byte[] HDF5 = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  private static final byte[] ZIP = {'P', 'K', 3, 4};

  private WeightFiles() {}

  public static WeightFile open(Path path) throws IOException {
    byte[] head = new byte[8];
    int n;
    try (InputStream in = Files.newInputStream(path)) {
      n = in.readNBytes(head, 0, head.length);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("weight file " + path + " does not exist");
    }
    if (n == 8 && Arrays.equals(head, HDF5)) {
      try {
        return new Guarded(new Hdf5WeightFile(path));
      } catch (io.jhdf.exceptions.HdfException e) {
        throw new IllegalArgumentException("weight file " + path + " is not a readable HDF5 file: " + e.getMessage(), e);
      }
    }
    if (n >= 4 && Arrays.equals(Arrays.copyOf(head, 4), ZIP)) {
      try {
        return new Guarded(new NpzWeightFile(path));
      } catch (IOException | RuntimeException e) {
        throw damaged(path, e);
      }
    }
    throw new IllegalArgumentException(
        "weight file " + path + " is neither HDF5 (a Keras .h5) nor a NumPy .npz (zip); cannot read it");
  }

  /**
   * Errors from the file parsers (jHDF's unchecked exceptions, zip and buffer errors on truncated
   * data) become one error that names the file; messages that already do pass unchanged.
   */
  private static IOException damaged(Path path, Exception e) {
    if (e instanceof IOException io && String.valueOf(e.getMessage()).contains(path.toString())) {
      return io;
    }
    if (e instanceof IllegalArgumentException iae && String.valueOf(e.getMessage()).contains(path.toString())) {
      throw iae;
    }
    // Bad input, like every other unreadable file: the command exits with status 2.
    throw new IllegalArgumentException("weight file " + path + " is damaged or truncated: " + e, e);
  }

  /** Every read error of the wrapped file names the file. */
  private record Guarded(WeightFile file) implements WeightFile {
    @Override
    public Path path() {
      return file.path();
    }

    @Override
    public java.util.List<Entry> entries() {
      return file.entries();
    }

    @Override
    public float[] read(String name) throws IOException {
      try {
        return file.read(name);
      } catch (IOException | RuntimeException e) {
        throw damaged(file.path(), e);
      }
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }
}
