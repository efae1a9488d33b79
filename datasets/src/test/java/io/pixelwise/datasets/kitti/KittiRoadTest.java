package io.pixelwise.datasets.kitti;

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
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.data.Split;
import io.pixelwise.datasets.DatasetsPlugin;
import io.pixelwise.imaging.ImageDecoding;
import java.awt.image.BufferedImage;
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
 * Fixtures in the layout of data_road.zip: 8-bit RGB PNG images and 8-bit RGB ground truth in
 * KITTI's colours (magenta road, red not road, black outside the valid area).
 */
class KittiRoadTest {
  /** Reads the files as the runner does (default data.max-image-pixels and data.libdeflate). */
  private static final ImageReader IMAGES = new ImageDecoding();
  private static final int MAGENTA = 0xff00ff;
  private static final int RED = 0xff0000;
  private static final int BLACK = 0x000000;
  /** The stored size: these tests check the decoding pixel by pixel. */
  private static final InputSize SIZE = null;

  @TempDir Path root;

  private Path training(String folder) throws IOException {
    return Files.createDirectories(root.resolve("training").resolve(folder));
  }

  private static void writeRgb(Path file, int w, int h, int... colours) throws IOException {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    for (int i = 0; i < w * h; i++) {
      image.setRGB(i % w, i / w, colours[i % colours.length]);
    }
    ImageIO.write(image, "png", file.toFile());
    // The fixtures must be what KITTI ships: IHDR bit depth 8, colour type 2 (RGB).
    byte[] png = Files.readAllBytes(file);
    assertEquals(8, png[24], "bit depth of " + file);
    assertEquals(2, png[25], "colour type of " + file);
  }

  /** A training image and its road ground truth; the image's pixels encode the file's number. */
  private void trainingPair(String category, int number, int... gtColours) throws IOException {
    String n = String.format("%06d", number);
    writeRgb(training("image_2").resolve(category + "_" + n + ".png"), 3, 2, 0x102030 + number);
    writeRgb(training("gt_image_2").resolve(category + "_road_" + n + ".png"), 3, 2,
        gtColours.length == 0 ? new int[] {MAGENTA} : gtColours);
  }

  /** um 0..um-1, umm 0..umm-1, uu 0..uu-1, all road ground truth. */
  private void trainingSet(int um, int umm, int uu) throws IOException {
    for (int i = 0; i < um; i++) {
      trainingPair("um", i);
    }
    for (int i = 0; i < umm; i++) {
      trainingPair("umm", i);
    }
    for (int i = 0; i < uu; i++) {
      trainingPair("uu", i);
    }
  }

  private static Config options(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseResources("reference.conf").getConfig("datasets.kitti-road"));
  }

  private KittiRoad dataset(String overrides) {
    return KittiRoad.fromConfig(new DatasetContext(options("root = \"" + root + "\"\n" + overrides), SIZE, IMAGES));
  }

  private static List<String> ids(SampleSource source) throws IOException {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < source.size(); i++) {
      ids.add(source.load(i).id());
    }
    return ids;
  }

  private static long count(List<String> ids, String category) {
    return ids.stream().filter(id -> id.startsWith(category + "_")).count();
  }

  @Test
  void groundTruthColoursDecodeToRoadNotRoadAndIgnore() throws IOException {
    trainingSet(2, 2, 2);
    trainingPair("um", 7, MAGENTA, RED, BLACK, RED, MAGENTA, BLACK);
    KittiRoad kitti = dataset("");
    assertEquals(List.of("not-road", "road"), kitti.classes().names());
    assertEquals(RED, kitti.classes().rgb(0));
    assertEquals(MAGENTA, kitti.classes().rgb(1));
    assertEquals(255, kitti.classes().ignoreId());

    Sample s = load(kitti, "um_000007");
    assertEquals(3, s.image().width());
    assertEquals(2, s.image().height());
    assertEquals(3, s.image().channels());
    assertEquals(List.of(0x10, 0x20, 0x30 + 7),
        List.of(s.image().pixels()[0] & 0xff, s.image().pixels()[1] & 0xff, s.image().pixels()[2] & 0xff));
    int[] expected = {1, 0, 255, 0, 1, 255};
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], s.labels().get(i % 3, i / 3), "pixel " + i);
    }
  }

  /** Finds a sample by id in train or val, wherever the split put it. */
  private static Sample load(KittiRoad kitti, String id) throws IOException {
    for (Split split : List.of(Split.TRAIN, Split.VAL)) {
      SampleSource source = kitti.split(split);
      for (int i = 0; i < source.size(); i++) {
        Sample s = source.load(i);
        if (s.id().equals(id)) {
          return s;
        }
      }
    }
    throw new AssertionError(id + " is in neither train nor val");
  }

  @Test
  void theSplitIsStratifiedSeededDeterministicAndDisjoint() throws IOException {
    trainingSet(10, 7, 5);
    List<String> train = ids(dataset("val-fraction = 0.3").split(Split.TRAIN));
    List<String> val = ids(dataset("val-fraction = 0.3").split(Split.VAL));

    // Disjoint, and together exactly training/.
    Set<String> all = new HashSet<>(train);
    all.addAll(val);
    assertEquals(22, all.size());
    assertEquals(22, train.size() + val.size());
    // round(n * 0.3) of each category in val, the rest in train: every category on both sides.
    assertEquals(3, count(val, "um"));
    assertEquals(2, count(val, "umm"));
    assertEquals(2, count(val, "uu"));
    assertEquals(7, count(train, "um"));
    assertEquals(5, count(train, "umm"));
    assertEquals(3, count(train, "uu"));

    // Same seed, same split (a fresh instance, as a later run would build it); sorted by id.
    assertEquals(train, ids(dataset("val-fraction = 0.3").split(Split.TRAIN)));
    assertEquals(val, ids(dataset("val-fraction = 0.3").split(Split.VAL)));
    assertEquals(val.stream().sorted().toList(), val);

    // Another seed draws other images, with the same per-category counts.
    List<String> otherVal = ids(dataset("val-fraction = 0.3, seed = 7").split(Split.VAL));
    assertNotEquals(val, otherVal);
    assertEquals(3, count(otherVal, "um"));
    assertEquals(2, count(otherVal, "umm"));
    assertEquals(2, count(otherVal, "uu"));
  }

  @Test
  void everyCategoryKeepsAValidationImageAndATrainingImage() throws IOException {
    trainingSet(2, 3, 2);
    List<String> small = ids(dataset("val-fraction = 0.01").split(Split.VAL));
    assertEquals(List.of(1L, 1L, 1L), List.of(count(small, "um"), count(small, "umm"), count(small, "uu")));
    List<String> large = ids(dataset("val-fraction = 0.99").split(Split.TRAIN));
    assertEquals(List.of(1L, 1L, 1L), List.of(count(large, "um"), count(large, "umm"), count(large, "uu")));
  }

  @Test
  void aCategoryWithTooFewImagesIsAnError() throws IOException {
    trainingSet(3, 3, 1);
    var e = assertThrows(IllegalArgumentException.class, () -> dataset("").split(Split.TRAIN));
    assertTrue(e.getMessage().contains("1 uu_*.png"), e.getMessage());
  }

  @Test
  void testingImagesHaveNoLabels() throws IOException {
    trainingSet(2, 2, 2);
    Path testing = Files.createDirectories(root.resolve("testing/image_2"));
    writeRgb(testing.resolve("uu_000001.png"), 5, 4, 0x445566);
    writeRgb(testing.resolve("um_000003.png"), 5, 4, 0x445566);
    SampleSource test = dataset("").split(Split.TEST);
    assertEquals(List.of("um_000003", "uu_000001"), ids(test));
    Sample s = test.load(1);
    assertNull(s.labels());
    assertEquals(5, s.image().width());
    assertEquals(0x44, s.image().pixels()[0] & 0xff);
  }

  @Test
  void laneGroundTruthUsesUrbanMarkedOnly() throws IOException {
    trainingSet(3, 2, 2);
    for (int i = 0; i < 3; i++) {
      writeRgb(training("gt_image_2").resolve(String.format("um_lane_%06d.png", i)), 3, 2, RED, MAGENTA);
    }
    Path testing = Files.createDirectories(root.resolve("testing/image_2"));
    writeRgb(testing.resolve("um_000000.png"), 3, 2, 0);
    writeRgb(testing.resolve("uu_000000.png"), 3, 2, 0);
    KittiRoad lane = dataset("ground-truth = lane");
    assertEquals(List.of("not-ego-lane", "ego-lane"), lane.classes().names());
    List<String> train = ids(lane.split(Split.TRAIN));
    List<String> val = ids(lane.split(Split.VAL));
    assertEquals(3, train.size() + val.size());
    assertTrue(train.stream().allMatch(id -> id.startsWith("um_")), train.toString());
    assertTrue(val.stream().allMatch(id -> id.startsWith("um_")), val.toString());
    // The lane file's colours, not the road file's (all magenta).
    Sample s = lane.split(Split.TRAIN).load(0);
    assertEquals(0, s.labels().get(0, 0));
    assertEquals(1, s.labels().get(1, 0));
    assertEquals(List.of("um_000000"), ids(lane.split(Split.TEST)));
  }

  @Test
  void anyOtherColourIsAnErrorNamingFilePixelAndColour() throws IOException {
    trainingSet(2, 2, 2);
    // A lossy resave blurs edges: (254, 0, 255) is not magenta.
    trainingPair("uu", 5, MAGENTA, RED, MAGENTA, MAGENTA, 0xfe00ff, RED);
    var e = assertThrows(IOException.class, () -> load(dataset(""), "uu_000005"));
    assertTrue(e.getMessage().contains("uu_road_000005.png"), e.getMessage());
    assertTrue(e.getMessage().contains("pixel (1, 1)"), e.getMessage());
    assertTrue(e.getMessage().contains("(254, 0, 255)"), e.getMessage());
  }

  @Test
  void aTransparentPixelIsAnError() throws IOException {
    trainingSet(2, 2, 2);
    BufferedImage gt = new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB);
    for (int i = 0; i < 6; i++) {
      gt.setRGB(i % 3, i / 3, 0xff000000 | MAGENTA);
    }
    gt.setRGB(2, 0, 0x00ff00ff);
    ImageIO.write(gt, "png", training("gt_image_2").resolve("um_road_000001.png").toFile());
    var e = assertThrows(IOException.class, () -> load(dataset(""), "um_000001"));
    assertTrue(e.getMessage().contains("um_road_000001.png"), e.getMessage());
    assertTrue(e.getMessage().contains("pixel (2, 0)"), e.getMessage());
    assertTrue(e.getMessage().contains("alpha 0"), e.getMessage());
  }

  @Test
  void greyGroundTruthIsRefusedEvenWhereItIsBlack() throws IOException {
    trainingSet(2, 2, 2);
    // All zeros would read as black, i.e. all ignored: a silent empty label.
    ImageIO.write(new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY), "png",
        training("gt_image_2").resolve("uu_road_000001.png").toFile());
    var e = assertThrows(IOException.class, () -> load(dataset(""), "uu_000001"));
    assertTrue(e.getMessage().contains("uu_road_000001.png") && e.getMessage().contains("grey"), e.getMessage());
  }

  @Test
  void anImageWithoutGroundTruthIsNamedWithTheExpectedFile() throws IOException {
    trainingSet(2, 2, 3);
    Files.delete(root.resolve("training/gt_image_2/uu_road_000002.png"));
    var e = assertThrows(IllegalArgumentException.class, () -> dataset("").split(Split.TRAIN));
    assertTrue(e.getMessage().contains("uu_000002.png"), e.getMessage());
    assertTrue(e.getMessage().contains(root.resolve("training/gt_image_2/uu_road_000002.png").toString()), e.getMessage());
  }

  @Test
  void groundTruthWithoutImageIsNamed() throws IOException {
    trainingSet(2, 2, 3);
    Files.delete(root.resolve("training/image_2/umm_000001.png"));
    var e = assertThrows(IllegalArgumentException.class, () -> dataset("").split(Split.VAL));
    assertTrue(e.getMessage().contains("umm_road_000001.png"), e.getMessage());
    assertTrue(e.getMessage().contains("no image"), e.getMessage());
  }

  @Test
  void groundTruthOfAnotherSizeIsNamed() throws IOException {
    trainingSet(2, 2, 2);
    writeRgb(training("gt_image_2").resolve("umm_road_000000.png"), 4, 2, RED);
    var e = assertThrows(IOException.class, () -> load(dataset(""), "umm_000000"));
    assertTrue(e.getMessage().contains("umm_road_000000.png"), e.getMessage());
    assertTrue(e.getMessage().contains("4x2"), e.getMessage());
    assertTrue(e.getMessage().contains("3x2"), e.getMessage());
  }

  @Test
  void aTruncatedPngIsAnErrorNamingTheFile() throws IOException {
    trainingSet(2, 2, 2);
    Path gt = training("gt_image_2").resolve("um_road_000001.png");
    writeRgb(gt, 64, 64, MAGENTA, RED, BLACK, 0x123456);
    writeRgb(training("image_2").resolve("um_000001.png"), 64, 64, 0);
    byte[] bytes = Files.readAllBytes(gt);
    Files.write(gt, Arrays.copyOf(bytes, bytes.length / 2));
    var e = assertThrows(IOException.class, () -> load(dataset(""), "um_000001"));
    assertTrue(e.getMessage().contains("um_road_000001.png"), e.getMessage());
  }

  @Test
  void aMissingFolderNamesItAndTheDownload() {
    var e = assertThrows(IllegalArgumentException.class, () -> dataset("").split(Split.TRAIN));
    assertTrue(e.getMessage().contains(root.resolve("training/image_2").toAbsolutePath().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("data_road.zip"), e.getMessage());
  }

  @Test
  void anUnexpectedFileNameIsAnError() throws IOException {
    trainingSet(2, 2, 2);
    writeRgb(training("image_2").resolve("um_1.png"), 3, 2, 0);
    Files.writeString(training("image_2").resolve(".DS_Store"), "hidden files are skipped");
    var e = assertThrows(IllegalArgumentException.class, () -> dataset("").split(Split.TRAIN));
    assertTrue(e.getMessage().contains("um_1.png"), e.getMessage());
  }

  @Test
  void badOptionsAreNamed() {
    var gt = assertThrows(IllegalArgumentException.class, () -> dataset("ground-truth = lanes"));
    assertTrue(gt.getMessage().contains("ground-truth") && gt.getMessage().contains("lanes"), gt.getMessage());
    for (String f : List.of("0", "1", "-0.5")) {
      var e = assertThrows(IllegalArgumentException.class, () -> dataset("val-fraction = " + f));
      assertTrue(e.getMessage().contains("val-fraction"), e.getMessage());
    }
    var empty = assertThrows(IllegalArgumentException.class,
        () -> KittiRoad.fromConfig(new DatasetContext(options("root = \"\""), SIZE, IMAGES)));
    assertTrue(empty.getMessage().contains("root"), empty.getMessage());
  }

  @Test
  void theDefaultsPointAtDataAndThePluginRegistersTheName() {
    Config defaults = options("");
    assertEquals("data/data_road", defaults.getString("root"));
    assertEquals("road", defaults.getString("ground-truth"));
    Map<String, DatasetFactory> factories = Guice.createInjector(new DatasetsPlugin())
        .getInstance(Key.get(new TypeLiteral<Map<String, DatasetFactory>>() {}));
    assertTrue(factories.get("kitti-road").create(new DatasetContext(defaults, SIZE, IMAGES)) instanceof KittiRoad);
  }

  @Test
  void samplesLoadAtTheModelSizeWithNearestLabels() throws IOException {
    trainingSet(2, 2, 2);
    String n = "000009";
    writeRgb(training("image_2").resolve("um_" + n + ".png"), 12, 4, 0x102030, 0x405060, 0x708090);
    writeRgb(training("gt_image_2").resolve("um_road_" + n + ".png"), 12, 4, MAGENTA, RED, RED, BLACK, MAGENTA);
    Sample stored = load(dataset(""), "um_" + n);
    Sample small = load(KittiRoad.fromConfig(new DatasetContext(options("root = \"" + root + "\""), new InputSize(2, 6), IMAGES)), "um_" + n);
    assertEquals(List.of(6, 2), List.of(small.image().width(), small.image().height()));
    org.junit.jupiter.api.Assertions.assertArrayEquals(stored.labels().resized(6, 2).ids(), small.labels().ids());
  }
}
