package io.pixelwise.engine.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.graph.GraphContext;
import io.pixelwise.api.graph.ModelVariable;
import io.pixelwise.api.model.Backbone;
import io.pixelwise.engine.TestPlugins;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Importing VGG16 weights from the two file kinds users have, on slim stand-ins made by
 * tools/weights/make_fixtures.py: array k of the file holds (k + i/1024) / 1000 at flat index i.
 */
class WeightImportTest {
  /** The fixtures' slim VGG16. */
  static final String SLIM = "widths = [4, 4, 8, 8, 8], fc-widths = [8, 8], fc6-kernel = 7, dropout = 0";
  /** Layers in file order; array 2j is layer j's kernel, 2j+1 its bias. */
  static final List<String> LAYERS =
      List.of(
          "block1/conv1", "block1/conv2", "block2/conv1", "block2/conv2", "block3/conv1", "block3/conv2", "block3/conv3",
          "block4/conv1", "block4/conv2", "block4/conv3", "block5/conv1", "block5/conv2", "block5/conv3", "fc6", "fc7");

  static Path fixture(String name) {
    try {
      return Path.of(WeightImportTest.class.getResource("/weights/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static float[] pattern(int k, long n) {
    float[] v = new float[(int) n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((k + i / 1024.0) / 1000);
    }
    return v;
  }

  /** A backbone's variables as built in a graph, without a session: import checks need only their paths and shapes. */
  record Built(Backbone backbone, List<ModelVariable> variables) {}

  static Built build(String backbone, String options) {
    Backbone b =
        TestPlugins.backbone(backbone)
            .create(ConfigFactory.parseString(options).withFallback(ConfigFactory.defaultReference().getConfig("backbones." + backbone)));
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      GraphContext root = GraphContext.root(tf, tf.constant(false), 1);
      b.build(root.scope("backbone"), tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3))));
      return new Built(b, root.variables());
    }
  }

  /** Imports into a map instead of a session. */
  static WeightImport.Report load(Built built, Path file, boolean bgr, Map<String, float[]> assigned) throws IOException {
    try (WeightFile w = WeightFiles.open(file)) {
      return WeightImport.apply(w, built.backbone().pretrainedNames(), built.variables(), "backbone/", bgr, (v, values) -> assigned.put(v.path(), values));
    }
  }

  private static ModelVariable variable(Built b, String path) {
    return b.variables().stream().filter(v -> v.path().equals(path)).findFirst().orElseThrow();
  }

  @Test
  void kerasH5FillsEveryLayerWithFc1ReshapedAndTheFirstKernelTurnedToRgb() throws IOException {
    Built b = build("vgg16", SLIM);
    Map<String, float[]> values = new LinkedHashMap<>();
    WeightImport.Report report = load(b, fixture("vgg16-slim-keras.h5"), true, values);
    assertEquals(30, report.imported().size());
    assertEquals(30, values.size());
    assertEquals(List.of(), report.absent());
    assertEquals("fc1/fc1_W_1:0", report.imported().get("backbone/fc6/kernel"));
    for (int j = 0; j < LAYERS.size(); j++) {
      ModelVariable kernel = variable(b, "backbone/" + LAYERS.get(j) + "/kernel");
      // fc6's [392, 8] dense kernel is the [7, 7, 8, 8] conv kernel in the same row-major order.
      float[] expected = pattern(2 * j, kernel.size());
      if (j == 0) {
        // [3, 3, 3 (BGR in the file), 4]: input channel c comes from file channel 2 - c.
        expected = WeightImport.reverseInputChannels(expected, kernel.shape().asArray());
        assertEquals(pattern(0, 9)[8], values.get(kernel.path())[0], 0f, "R of tap 0 is file channel B (index 8)");
      }
      assertArrayEquals(expected, values.get(kernel.path()), 0f, kernel.path());
      ModelVariable bias = variable(b, "backbone/" + LAYERS.get(j) + "/bias");
      assertArrayEquals(pattern(2 * j + 1, bias.size()), values.get(bias.path()), 0f, bias.path());
    }
  }

  @Test
  void npzWithoutTheClassifierLeavesFc6AndFc7Alone() throws IOException {
    Map<String, float[]> values = new LinkedHashMap<>();
    WeightImport.Report report = load(build("vgg16", SLIM), fixture("vgg16-slim-notop.npz"), false, values);
    assertEquals(26, report.imported().size());
    assertEquals(List.of("backbone/fc6/kernel", "backbone/fc6/bias", "backbone/fc7/kernel", "backbone/fc7/bias"), report.absent());
    assertTrue(values.keySet().stream().noneMatch(k -> k.contains("fc")), values.keySet().toString());
    // rgb: the first kernel as stored.
    assertArrayEquals(pattern(0, 3 * 3 * 3 * 4), values.get("backbone/block1/conv1/kernel"), 0f);
    assertArrayEquals(pattern(25, 8), values.get("backbone/block5/conv3/bias"), 0f);
    assertTrue(report.describe().startsWith("26 tensors imported; not in the file"), report.describe());
  }

  @Test
  void aMisShapedArrayIsAnErrorNamingItAndNothingIsAssigned() {
    Map<String, float[]> values = new LinkedHashMap<>();
    Built wider = build("vgg16", "widths = [4, 4, 8, 8, 16], fc-widths = [8, 8], fc6-kernel = 7");
    var e = assertThrows(IllegalArgumentException.class, () -> load(wider, fixture("vgg16-slim-keras.h5"), true, values));
    assertTrue(
        e.getMessage().contains(
            "array 'block5_conv1/block5_conv1_W_1:0' has shape [3, 3, 8, 8] but backbone/block5/conv1/kernel needs [3, 3, 8, 16]"),
        e.getMessage());
    assertEquals(Map.of(), values);
  }

  @Test
  void aMissingArrayIsAnErrorNamingWhatWasLookedFor(@TempDir Path tmp) throws IOException {
    Path partial = tmp.resolve("partial.npz");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(partial))) {
      zip.putNextEntry(new ZipEntry("conv1_1_W.npy"));
      writeNpy(zip, new long[] {3, 3, 3, 4}, pattern(0, 108));
    }
    var e = assertThrows(IllegalArgumentException.class, () -> load(build("vgg16", SLIM), partial, true, new LinkedHashMap<>()));
    assertEquals(
        "weights " + partial + ": no array for backbone/block1/conv1/bias (looked for block1_conv1/block1_conv1_b_1:0,"
            + " block1_conv1/block1_conv1/bias:0, block1_conv1/bias, conv1_1_b); the file has: conv1_1_W",
        e.getMessage());
  }

  @Test
  void aBackboneWithoutPretrainedNamesCannotImport() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> load(build("simple-conv", ""), fixture("vgg16-slim-notop.npz"), true, new LinkedHashMap<>()));
    assertTrue(e.getMessage().endsWith("this backbone declares no pretrained weight names to import"), e.getMessage());
  }

  @Test
  void bothFormatsListNamesShapesAndTypes() throws IOException {
    try (WeightFile h5 = WeightFiles.open(fixture("vgg16-slim-keras.h5"));
        WeightFile npz = WeightFiles.open(fixture("vgg16-slim-notop.npz"))) {
      assertEquals(32, h5.entries().size());
      WeightFile.Entry fc1 = h5.entries().stream().filter(e -> e.name().equals("fc1/fc1_W_1:0")).findFirst().orElseThrow();
      assertArrayEquals(new long[] {392, 8}, fc1.shape());
      assertEquals("float32", fc1.type());
      assertEquals(26, npz.entries().size());
      assertEquals("conv1_1_W", npz.entries().get(0).name());
      assertArrayEquals(pattern(26, 392 * 8), h5.read("fc1/fc1_W_1:0"), 0f);
      assertArrayEquals(pattern(3, 4), npz.read("conv1_2_b"), 0f);
    }
  }

  @Test
  void aDamagedFileIsAnErrorNamingIt(@TempDir Path tmp) throws IOException {
    Path h5 = tmp.resolve("cut.h5");
    Files.write(h5, java.util.Arrays.copyOf(Files.readAllBytes(fixture("vgg16-slim-keras.h5")), 300));
    var e = assertThrows(IllegalArgumentException.class, () -> WeightFiles.open(h5).close());
    assertTrue(e.getMessage().startsWith("weight file " + h5 + " is not a readable HDF5 file"), e.getMessage());
    Path npz = tmp.resolve("cut.npz");
    Files.write(npz, java.util.Arrays.copyOf(Files.readAllBytes(fixture("vgg16-slim-notop.npz")), 300));
    var cut = assertThrows(IllegalArgumentException.class, () -> WeightFiles.open(npz).close());
    assertTrue(cut.getMessage().contains(npz.toString()), "the error does not name the file: " + cut.getMessage());
  }

  /** A version 1.0 .npy of little-endian float32 in C order. */
  static void writeNpy(OutputStream out, long[] shape, float[] values) throws IOException {
    StringBuilder dims = new StringBuilder();
    for (long d : shape) {
      dims.append(d).append(", ");
    }
    String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims.toString().strip() + "), }";
    int padded = ((10 + header.length() + 1 + 63) / 64) * 64 - 10;
    header = header + " ".repeat(padded - header.length() - 1) + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0);
    b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.ISO_8859_1));
    b.asFloatBuffer().put(values);
    out.write(b.array());
  }
}
