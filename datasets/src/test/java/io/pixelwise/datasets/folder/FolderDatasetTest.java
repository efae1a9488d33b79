package io.pixelwise.datasets.folder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.data.DatasetContext;
import io.pixelwise.api.data.DatasetFactory;
import io.pixelwise.api.data.ImageReader;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.LabelMap;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.data.Split;
import io.pixelwise.datasets.DatasetsPlugin;
import io.pixelwise.imaging.ImageDecoding;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fixtures as people keep them: 8-bit RGB or grey PNG (and JPEG) images, palette PNG, 8- and
 * 16-bit grey PNG and RGB PNG masks, in flat or split folders.
 */
class FolderDatasetTest {
  /** Reads the files as the runner does (default data.max-image-pixels and data.libdeflate). */
  private static final ImageReader IMAGES = new ImageDecoding();
  /** The stored size: these tests check the decoding pixel by pixel. */
  private static final InputSize SIZE = null;
  /** Tests of one image keep it all for training. */
  private static final String ONE = "val-fraction = 0\n";
  private static final String THREE_CLASSES_BY_ID =
      ONE
          + "mask-encoding = ids\n"
          + "classes = [{name = sky, color = [70, 130, 180]}, {name = road, color = [128, 64, 128]},"
          + " {name = car, color = [0, 0, 142]}]\n";

  @TempDir Path root;

  // ---- fixtures ----

  private static BufferedImage grey(int w, int h, int... levels) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int i = 0; i < w * h; i++) {
      image.getRaster().setSample(i % w, i / w, 0, levels[i % levels.length]);
    }
    return image;
  }

  private static BufferedImage rgb(int w, int h, int... colours) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    for (int i = 0; i < w * h; i++) {
      image.setRGB(i % w, i / w, colours[i % colours.length]);
    }
    return image;
  }

  /** An 8-bit palette image whose pixels are {@code indices} into {@code palette} (0xRRGGBB). */
  private static BufferedImage palette(int w, int h, int[] palette, int... indices) {
    byte[] r = new byte[palette.length];
    byte[] g = new byte[palette.length];
    byte[] b = new byte[palette.length];
    for (int i = 0; i < palette.length; i++) {
      r[i] = (byte) (palette[i] >> 16);
      g[i] = (byte) (palette[i] >> 8);
      b[i] = (byte) palette[i];
    }
    BufferedImage image =
        new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, palette.length, r, g, b));
    for (int i = 0; i < w * h; i++) {
      image.getRaster().setSample(i % w, i / w, 0, indices[i % indices.length]);
    }
    return image;
  }

  /** Writes a PNG and checks its IHDR says the bit depth and colour type the fixture means. */
  private static Path png(BufferedImage image, Path file, int bitDepth, int colourType) throws IOException {
    Files.createDirectories(file.getParent());
    ImageIO.write(image, "png", file.toFile());
    byte[] png = Files.readAllBytes(file);
    assertEquals(bitDepth, png[24], "bit depth of " + file);
    assertEquals(colourType, png[25], "colour type of " + file);
    return file;
  }

  private Path image(String relative, BufferedImage image) throws IOException {
    return png(image, root.resolve("images").resolve(relative), 8, image.getType() == BufferedImage.TYPE_BYTE_GRAY ? 0 : 2);
  }

  private Path greyMask(String relative, int w, int h, int... levels) throws IOException {
    return png(grey(w, h, levels), root.resolve("masks").resolve(relative), 8, 0);
  }

  /** n flat pairs img00..: 3x2 RGB images with black/white masks (background, foreground). */
  private void flatPairs(int n) throws IOException {
    for (int i = 0; i < n; i++) {
      String stem = String.format("img%02d", i);
      image(stem + ".png", rgb(3, 2, 0x010203 * (i + 1)));
      greyMask(stem + ".png", 3, 2, 0, 255);
    }
  }

  private static Config options(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseResources("reference.conf").getConfig("datasets.folder"));
  }

  private FolderDataset dataset(String overrides) {
    return dataset(overrides, SIZE);
  }

  private FolderDataset dataset(String overrides, InputSize size) {
    return FolderDataset.fromConfig(new DatasetContext(options("root = \"" + root + "\"\n" + overrides), size, IMAGES));
  }

  private static List<String> ids(SampleSource source) throws IOException {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < source.size(); i++) {
      ids.add(source.load(i).id());
    }
    return ids;
  }

  private static int[] labels(LabelMap map) {
    int[] ids = new int[map.ids().length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = map.ids()[i] & 0xff;
    }
    return ids;
  }

  private static int[] pixels(byte[] bytes) {
    int[] v = new int[bytes.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = bytes[i] & 0xff;
    }
    return v;
  }

  // ---- masks ----

  @Test
  void paletteMasksGiveTheirIndicesNotTheirColours() throws IOException {
    image("a.png", rgb(4, 1, 0x102030));
    // Index 1 is drawn green, index 2 black: the ids are still 1 and 2.
    int[] colours = {0x4682b4, 0x00ff00, 0x000000, 0xffffff};
    png(palette(4, 1, colours, 0, 1, 2, 1), root.resolve("masks/a.png"), 8, 3);
    Sample s = dataset(THREE_CLASSES_BY_ID).split(Split.TRAIN).load(0);
    assertArrayEquals(new int[] {0, 1, 2, 1}, labels(s.labels()));
    assertEquals(List.of("sky", "road", "car"), dataset(THREE_CLASSES_BY_ID).classes().names());
    assertEquals(0x80_40_80, dataset(THREE_CLASSES_BY_ID).classes().rgb(1));
  }

  @Test
  void greyMasksGiveTheirLevelsAsIdsWithIgnore() throws IOException {
    image("a.png", rgb(5, 1, 0x102030));
    greyMask("a.png", 5, 1, 2, 0, 255, 1, 0);
    Sample s = dataset(THREE_CLASSES_BY_ID).split(Split.TRAIN).load(0);
    assertArrayEquals(new int[] {2, 0, 255, 1, 0}, labels(s.labels()));
  }

  @Test
  void aColourTableMapsRgbMasksWithIgnoredColours() throws IOException {
    image("a.png", rgb(5, 1, 0x102030));
    png(rgb(5, 1, 0x808000, 0x0000ff, 0xe0e0c0, 0x0000ff, 0x808000), root.resolve("masks/a.png"), 8, 2);
    FolderDataset d = dataset(
        ONE + "classes = [{name = tree, color = [128, 128, 0]}, {name = water, color = [0, 0, 255]}]\n"
            + "ignore-colors = [[224, 224, 192]]");
    assertArrayEquals(new int[] {0, 1, 255, 1, 0}, labels(d.split(Split.TRAIN).load(0).labels()));
    assertEquals(0xe0e0c0, d.classes().rgb(255));
  }

  @Test
  void theDefaultsReadBinaryGreyMasksAsBackgroundAndForeground() throws IOException {
    // Black/white masks of seed 003, in 8 and 16 bits: the 16-bit 65535 is white too.
    image("a.png", grey(3, 1, 9));
    greyMask("a.png", 3, 1, 0, 255, 0);
    image("b.png", grey(3, 1, 9));
    BufferedImage deep = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
    deep.getRaster().setSample(0, 0, 0, 65535);
    png(deep, root.resolve("masks/b.png"), 16, 0);
    FolderDataset d = dataset("val-fraction = 0");
    assertEquals(List.of("background", "foreground"), d.classes().names());
    SampleSource train = d.split(Split.TRAIN);
    assertArrayEquals(new int[] {0, 1, 0}, labels(train.load(0).labels()));
    assertArrayEquals(new int[] {1, 0, 0}, labels(train.load(1).labels()));
  }

  @Test
  void anIdNotInTheTableNamesFilePixelAndValue() throws IOException {
    image("a.png", rgb(4, 2, 0x102030));
    Path mask = greyMask("a.png", 4, 2, 0, 1, 2, 1, 0, 3, 0, 0);
    var e = assertThrows(IOException.class, () -> dataset(THREE_CLASSES_BY_ID).split(Split.TRAIN).load(0));
    assertTrue(e.getMessage().contains(mask.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("pixel (1, 1)"), e.getMessage());
    assertTrue(e.getMessage().contains("value 3"), e.getMessage());
  }

  @Test
  void aColourNotInTheTableNamesFilePixelAndColour() throws IOException {
    image("a.png", rgb(3, 1, 0x102030));
    Path mask = png(rgb(3, 1, 0x000000, 0xffffff, 0xfefefe), root.resolve("masks/a.png"), 8, 2);
    var e = assertThrows(IOException.class, () -> dataset(ONE).split(Split.TRAIN).load(0));
    assertTrue(e.getMessage().contains(mask.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("pixel (2, 0)"), e.getMessage());
    assertTrue(e.getMessage().contains("(254, 254, 254)"), e.getMessage());
    assertTrue(e.getMessage().contains("foreground (255, 255, 255)"), e.getMessage());
  }

  @Test
  void anRgbMaskWithIdEncodingIsAnErrorNotItsRedChannel() throws IOException {
    image("a.png", rgb(3, 1, 0x102030));
    png(rgb(3, 1, 0x010000), root.resolve("masks/a.png"), 8, 2);
    var e = assertThrows(IOException.class, () -> dataset(THREE_CLASSES_BY_ID).split(Split.TRAIN).load(0));
    assertTrue(e.getMessage().contains("masks/a.png") && e.getMessage().contains("mask-encoding = colors"), e.getMessage());
  }

  @Test
  void aTransparentMaskPixelIsAnError() throws IOException {
    image("a.png", rgb(3, 1, 0x102030));
    BufferedImage mask = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
    mask.setRGB(0, 0, 0xff000000);
    mask.setRGB(1, 0, 0x80ffffff);
    mask.setRGB(2, 0, 0xff000000);
    png(mask, root.resolve("masks/a.png"), 8, 6);
    var e = assertThrows(IOException.class, () -> dataset(ONE).split(Split.TRAIN).load(0));
    assertTrue(e.getMessage().contains("pixel (1, 0)") && e.getMessage().contains("alpha 128"), e.getMessage());
  }

  // ---- images ----

  @Test
  void greyImagesStayOneChannelWithTheirStoredLevels() throws IOException {
    image("a.png", grey(3, 1, 128, 7, 255));
    greyMask("a.png", 3, 1, 0);
    Sample s = dataset(ONE).split(Split.TRAIN).load(0);
    assertEquals(1, s.image().channels());
    // Not Java's getRGB of grey, which would turn 128 into 188.
    assertArrayEquals(new int[] {128, 7, 255}, pixels(s.image().pixels()));
  }

  @Test
  void colourImagesHaveThreeChannelsAndJpegIsRead() throws IOException {
    image("a.png", rgb(2, 1, 0x112233, 0x445566));
    greyMask("a.png", 2, 1, 0);
    Files.createDirectories(root.resolve("images"));
    ImageIO.write(rgb(2, 1, 0x808080), "jpg", root.resolve("images/b.jpg").toFile());
    greyMask("b.png", 2, 1, 0);
    SampleSource train = dataset("val-fraction = 0").split(Split.TRAIN);
    Sample a = train.load(0);
    assertEquals(3, a.image().channels());
    assertArrayEquals(new int[] {0x11, 0x22, 0x33, 0x44, 0x55, 0x66}, pixels(a.image().pixels()));
    Sample b = train.load(1);
    assertEquals("b", b.id());
    assertEquals(2, b.image().width());
  }

  // ---- layout and splits ----

  @Test
  void splitFoldersWithAnUnlabelledTestFolder() throws IOException {
    image("train/x1.png", rgb(3, 2, 1));
    greyMask("train/x1.png", 3, 2, 1);
    image("train/x2.png", rgb(3, 2, 1));
    greyMask("train/x2.png", 3, 2, 0);
    image("val/v1.png", rgb(3, 2, 1));
    greyMask("val/v1.png", 3, 2, 255, 0);
    image("test/t1.png", grey(3, 2, 1));
    FolderDataset d = dataset("mask-encoding = ids");
    assertEquals(List.of("x1", "x2"), ids(d.split(Split.TRAIN)));
    assertEquals(1, d.split(Split.TRAIN).load(0).labels().get(0, 0));
    assertEquals(255, d.split(Split.VAL).load(0).labels().get(0, 0));
    Sample t = d.split(Split.TEST).load(0);
    assertEquals("t1", t.id());
    assertNull(t.labels());
  }

  @Test
  void anEmptyTestFolderIsNamed() throws IOException {
    image("train/x1.png", rgb(3, 2, 1));
    greyMask("train/x1.png", 3, 2, 1);
    Files.createDirectories(root.resolve("images/test"));
    var e = assertThrows(IllegalArgumentException.class, () -> dataset("").split(Split.TEST));
    assertTrue(e.getMessage().contains("no images") && e.getMessage().contains(root.resolve("images/test").toString()),
        e.getMessage());
  }

  @Test
  void aStrayFileBesideTheSplitFoldersIsAnError() throws IOException {
    image("train/x1.png", rgb(3, 2, 1));
    greyMask("train/x1.png", 3, 2, 1);
    Path stray = image("lost.png", rgb(3, 2, 1));
    var e = assertThrows(IllegalArgumentException.class, () -> dataset("").split(Split.TRAIN));
    assertTrue(e.getMessage().contains(stray.toString()), e.getMessage());
  }

  @Test
  void aMissingSplitFolderIsNamed() throws IOException {
    image("train/x1.png", rgb(3, 2, 1));
    greyMask("train/x1.png", 3, 2, 1);
    var e = assertThrows(IllegalArgumentException.class, () -> dataset("").split(Split.VAL));
    assertTrue(e.getMessage().contains(root.resolve("images/val").toString()), e.getMessage());
  }

  @Test
  void theRandomSplitIsSeededDeterministicAndDisjoint() throws IOException {
    flatPairs(20);
    String opts = "val-fraction = 0.25, test-fraction = 0.1, seed = 3";
    List<String> train = ids(dataset(opts).split(Split.TRAIN));
    List<String> val = ids(dataset(opts).split(Split.VAL));
    List<String> test = ids(dataset(opts).split(Split.TEST));
    assertEquals(List.of(13, 5, 2), List.of(train.size(), val.size(), test.size()));
    Set<String> all = new HashSet<>(train);
    all.addAll(val);
    all.addAll(test);
    assertEquals(20, all.size());
    assertEquals(train, ids(dataset(opts).split(Split.TRAIN)));
    assertEquals(val, ids(dataset(opts).split(Split.VAL)));
    assertEquals(test, ids(dataset(opts).split(Split.TEST)));
    assertNotEquals(val, ids(dataset("val-fraction = 0.25, test-fraction = 0.1, seed = 4").split(Split.VAL)));
    // Labelled, unlike an unlabelled test folder.
    assertEquals(1, dataset(opts).split(Split.TEST).load(0).labels().get(1, 0));
  }

  @Test
  void aSplitWithFractionZeroDoesNotExist() throws IOException {
    flatPairs(3);
    var e = assertThrows(IllegalArgumentException.class, () -> dataset("").split(Split.TEST));
    assertTrue(e.getMessage().contains("test-fraction"), e.getMessage());
  }

  @Test
  void explicitFoldersAndAMaskSuffix() throws IOException {
    Path images = root.resolve("photos");
    Path masks = root.resolve("labels");
    png(rgb(3, 1, 5), images.resolve("p1.png"), 8, 2);
    png(grey(3, 1, 255, 0, 0), masks.resolve("p1_mask.png"), 8, 0);
    png(rgb(3, 1, 5), images.resolve("p2.png"), 8, 2);
    png(grey(3, 1, 0), masks.resolve("p2_mask.png"), 8, 0);
    FolderDataset d = FolderDataset.fromConfig(new DatasetContext(
        options("images = \"" + images + "\", masks = \"" + masks + "\", mask-suffix = _mask, val-fraction = 0"), SIZE, IMAGES));
    SampleSource train = d.split(Split.TRAIN);
    assertEquals(List.of("p1", "p2"), ids(train));
    assertArrayEquals(new int[] {1, 0, 0}, labels(train.load(0).labels()));
  }

  // ---- bad input ----

  @Test
  void anImageWithoutMaskNamesTheExpectedFile() throws IOException {
    flatPairs(3);
    image("extra.png", rgb(3, 2, 1));
    var e = assertThrows(IllegalArgumentException.class, () -> dataset("").split(Split.TRAIN));
    assertTrue(e.getMessage().contains("extra.png"), e.getMessage());
    assertTrue(e.getMessage().contains(root.resolve("masks/extra.png").toString()), e.getMessage());
  }

  @Test
  void aMaskWithoutImageIsNamed() throws IOException {
    flatPairs(3);
    greyMask("orphan.png", 3, 2, 0);
    var e = assertThrows(IllegalArgumentException.class, () -> dataset("").split(Split.TRAIN));
    assertTrue(e.getMessage().contains("orphan.png") && e.getMessage().contains("no image"), e.getMessage());
  }

  @Test
  void aJpegMaskIsRefused() throws IOException {
    image("a.png", rgb(3, 2, 1));
    Files.createDirectories(root.resolve("masks"));
    ImageIO.write(rgb(3, 2, 0), "jpg", root.resolve("masks/a.jpg").toFile());
    var e = assertThrows(IllegalArgumentException.class, () -> dataset("").split(Split.TRAIN));
    assertTrue(e.getMessage().contains("a.jpg") && e.getMessage().contains("lossless"), e.getMessage());
  }

  @Test
  void twoImagesOfOneStemAreAnError() throws IOException {
    flatPairs(2);
    ImageIO.write(rgb(3, 2, 1), "jpg", root.resolve("images/img00.jpg").toFile());
    var e = assertThrows(IllegalArgumentException.class, () -> dataset("").split(Split.TRAIN));
    assertTrue(e.getMessage().contains("img00.jpg") && e.getMessage().contains("img00.png"), e.getMessage());
  }

  @Test
  void aMaskOfAnotherSizeIsNamed() throws IOException {
    image("a.png", rgb(3, 2, 1));
    Path mask = greyMask("a.png", 2, 2, 0);
    var e = assertThrows(IOException.class, () -> dataset(ONE).split(Split.TRAIN).load(0));
    assertTrue(e.getMessage().contains(mask.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("2x2") && e.getMessage().contains("3x2"), e.getMessage());
  }

  @Test
  void truncatedImagesAndMasksNameTheFile() throws IOException {
    int[] noise = new int[64 * 64];
    java.util.Random random = new java.util.Random(1);
    for (int i = 0; i < noise.length; i++) {
      noise[i] = random.nextBoolean() ? 0 : 255;
    }
    Path image = image("a.png", grey(64, 64, noise));
    Path mask = greyMask("a.png", 64, 64, noise);
    truncate(mask);
    var e = assertThrows(IOException.class, () -> dataset(ONE).split(Split.TRAIN).load(0));
    assertTrue(e.getMessage().contains(mask.toString()), e.getMessage());
    truncate(image);
    e = assertThrows(IOException.class, () -> dataset(ONE).split(Split.TRAIN).load(0));
    assertTrue(e.getMessage().contains(image.toString()), e.getMessage());
  }

  private static void truncate(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
  }

  @Test
  void aMissingImagesFolderNamesItAndTheLayout() {
    var e = assertThrows(IllegalArgumentException.class, () -> dataset("").split(Split.TRAIN));
    assertTrue(e.getMessage().contains(root.resolve("images").toAbsolutePath().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("masks"), e.getMessage());
  }

  @Test
  void badOptionsAreNamed() {
    assertOption("mask-encoding = palette", "mask-encoding", "palette");
    assertOption("split = sometimes", "split", "sometimes");
    assertOption("padding = mirror", "padding", "mirror");
    assertOption("val-fraction = 0.6, test-fraction = 0.4", "val-fraction", "0.6");
    assertOption("classes = [{name = a, color = [0, 0, 0]}, {name = a, color = [1, 1, 1]}]", "classes[1].name", "'a'");
    assertOption("classes = [{name = a}]", "classes[0].color", "'a'");
    assertOption("classes = [{name = a, color = [0, 0, 256]}]", "classes[0].color", "256");
    assertOption("classes = [{name = a, color = [0, 0]}]", "classes[0].color", "[0,0]");
    assertOption("classes = [road]", "classes[0]", "road");
    assertOption("classes = [{name = a, color = [0, 0, 0]}, {name = b, color = [0, 0, 0]}]", "classes", "(0, 0, 0)");
    assertOption("ignore-colors = [[0, 0, 0]]", "ignore-colors", "background");
    assertOption(THREE_CLASSES_BY_ID + "ignore-ids = [2]", "ignore-ids", "car");
    assertOption("padding-value = 300", "padding-value", "300");
  }

  private void assertOption(String overrides, String key, String value) {
    var e = assertThrows(IllegalArgumentException.class, () -> dataset(overrides), overrides);
    assertTrue(e.getMessage().contains("datasets.folder." + key), e.getMessage());
    assertTrue(e.getMessage().contains(value), e.getMessage());
  }

  // ---- padding ----

  @Test
  void paddingModesMatchNumpy() throws IOException {
    image("a.png", grey(3, 1, 1, 2, 3));
    greyMask("a.png", 3, 1, 0, 1, 2);
    // np.pad([1, 2, 3], (5, 4), mode) for 3 -> 12 pixels (centred, the odd pixel after).
    Map<String, int[]> numpy = Map.of(
        "reflect", new int[] {2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3},
        "symmetric", new int[] {2, 3, 3, 2, 1, 1, 2, 3, 3, 2, 1, 1},
        "wrap", new int[] {2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1});
    for (var mode : numpy.entrySet()) {
      Sample s = dataset(THREE_CLASSES_BY_ID + "padding = " + mode.getKey(), new InputSize(1, 12))
          .split(Split.TRAIN).load(0);
      assertArrayEquals(mode.getValue(), pixels(s.image().pixels()), mode.getKey());
      // The labels move with their pixels: label = level - 1 here.
      assertArrayEquals(Arrays.stream(mode.getValue()).map(v -> v - 1).toArray(), labels(s.labels()), mode.getKey());
    }
    Sample c = dataset(THREE_CLASSES_BY_ID + "padding = constant, padding-value = 9", new InputSize(3, 6))
        .split(Split.TRAIN).load(0);
    assertEquals(6, c.image().width());
    assertEquals(3, c.image().height());
    // Rows: padding (1 before), the image (2 columns before, 1 after), padding (1 after).
    assertArrayEquals(new int[] {9, 9, 9, 9, 9, 9, 9, 9, 1, 2, 3, 9, 9, 9, 9, 9, 9, 9}, pixels(c.image().pixels()));
    int i = 255;
    assertArrayEquals(new int[] {i, i, i, i, i, i, i, i, 0, 1, 2, i, i, i, i, i, i, i}, labels(c.labels()));
    // Larger than the input: untouched, the pipeline resizes.
    Sample big = dataset(THREE_CLASSES_BY_ID + "padding = reflect", new InputSize(1, 2)).split(Split.TRAIN).load(0);
    assertArrayEquals(new int[] {1, 2, 3}, pixels(big.image().pixels()));
  }

  @Test
  void theSeedsPaddingOf101To128IsFourteenThenThirteen() {
    assertEquals(14, Padding.before(101, 128));
    assertEquals(0, Padding.before(128, 101));
  }

  // ---- registration ----

  @Test
  void theDefaultsPointAtDataAndThePluginRegistersTheName() throws IOException {
    Config defaults = options("");
    assertEquals("data/folder", defaults.getString("root"));
    Map<String, DatasetFactory> factories = Guice.createInjector(new DatasetsPlugin())
        .getInstance(Key.get(new TypeLiteral<Map<String, DatasetFactory>>() {}));
    assertTrue(factories.get("folder").create(new DatasetContext(defaults, SIZE, IMAGES)) instanceof FolderDataset);
    flatPairs(5);
    var d = factories.get("folder").create(new DatasetContext(options("root = \"" + root + "\""), SIZE, IMAGES));
    assertEquals(List.of(4, 1), List.of(d.split(Split.TRAIN).size(), d.split(Split.VAL).size()));
  }
}
