package io.pixelwise.datasets.cityscapes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.data.ImageReader;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.data.Split;
import io.pixelwise.imaging.ImageDecoding;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fixtures in the official layout and formats: 8-bit RGB images, 8-bit grey label-id PNGs. */
class CityscapesTest {
  /** Reads the files as the runner does (default data.max-image-pixels and data.libdeflate). */
  private static final ImageReader IMAGES = new ImageDecoding();
  @TempDir Path root;

  /** Writes one image/label pair; the label holds {@code ids} in raster order, repeated. */
  private void write(String split, String city, String stem, int w, int h, int... ids) throws IOException {
    Path images = Files.createDirectories(root.resolve("leftImg8bit").resolve(split).resolve(city));
    Path labels = Files.createDirectories(root.resolve("gtFine").resolve(split).resolve(city));
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    BufferedImage label = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int i = 0; i < w * h; i++) {
      image.setRGB(i % w, i / w, 0x102030 + i);
      label.getRaster().setSample(i % w, i / w, 0, ids[i % ids.length]);
    }
    ImageIO.write(image, "png", images.resolve(stem + "_leftImg8bit.png").toFile());
    ImageIO.write(label, "png", labels.resolve(stem + "_gtFine_labelIds.png").toFile());
  }

  @Test
  void everyLabelIdMapsToTheOfficialTrainIdAndItsCategory() throws IOException {
    int[] all = new int[34];
    for (int i = 0; i < 34; i++) {
      all[i] = i;
    }
    write("val", "frankfurt", "frankfurt_000000_000294", 34, 2, all);
    Map<Integer, Integer> nineteen = Map.ofEntries(
        Map.entry(7, 0), Map.entry(8, 1), Map.entry(11, 2), Map.entry(12, 3), Map.entry(13, 4),
        Map.entry(17, 5), Map.entry(19, 6), Map.entry(20, 7), Map.entry(21, 8), Map.entry(22, 9),
        Map.entry(23, 10), Map.entry(24, 11), Map.entry(25, 12), Map.entry(26, 13), Map.entry(27, 14),
        Map.entry(28, 15), Map.entry(31, 16), Map.entry(32, 17), Map.entry(33, 18));
    // road, building, infrastructure, nature, sky, person, vehicle
    Map<Integer, Integer> seven = Map.ofEntries(
        Map.entry(7, 0), Map.entry(8, 0), Map.entry(11, 1), Map.entry(12, 1), Map.entry(13, 1),
        Map.entry(17, 2), Map.entry(19, 2), Map.entry(20, 2), Map.entry(21, 3), Map.entry(22, 3),
        Map.entry(23, 4), Map.entry(24, 5), Map.entry(25, 5), Map.entry(26, 6), Map.entry(27, 6),
        Map.entry(28, 6), Map.entry(31, 6), Map.entry(32, 6), Map.entry(33, 6));

    Sample s19 = new Cityscapes(root, false, null, IMAGES).split(Split.VAL).load(0);
    Sample s7 = new Cityscapes(root, true, null, IMAGES).split(Split.VAL).load(0);
    for (int id = 0; id < 34; id++) {
      assertEquals(nineteen.getOrDefault(id, 255), s19.labels().get(id, 0), "19-class train id of label " + id);
      assertEquals(seven.getOrDefault(id, 255), s7.labels().get(id, 0), "7-class id of label " + id);
    }
    assertEquals("frankfurt_000000_000294", s7.id());
    assertEquals(19, new Cityscapes(root, false, null, IMAGES).classes().size());
    assertEquals("infrastructure", new Cityscapes(root, true, null, IMAGES).classes().name(2));
    // The license plate (-1) never reaches a PNG; the table still maps it to ignore.
    var plate = CityscapesLabels.TABLE.stream().filter(l -> l.id() == -1).findFirst().orElseThrow();
    assertEquals(255, plate.trainId());
    assertEquals(255, plate.sevenId());
  }

  @Test
  void readsImagesOfEveryCityInNameOrder() throws IOException {
    write("train", "bochum", "bochum_000000_000313", 4, 3, 7);
    write("train", "aachen", "aachen_000001_000019", 4, 3, 23);
    write("train", "aachen", "aachen_000000_000019", 4, 3, 26);
    SampleSource train = new Cityscapes(root, true, null, IMAGES).split(Split.TRAIN);
    assertEquals(3, train.size());
    assertEquals("aachen_000000_000019", train.load(0).id());
    assertEquals(6, train.load(0).labels().get(0, 0));
    assertEquals("bochum_000000_000313", train.load(2).id());
    Sample s = train.load(1);
    assertEquals(4, s.image().width());
    assertEquals(0x10, s.image().pixels()[0] & 0xff);
    assertEquals(0x20, s.image().pixels()[1] & 0xff);
    assertEquals(0x30, s.image().pixels()[2] & 0xff);
  }

  @Test
  void aMissingFolderNamesItAndTheExpectedLayout() {
    var e = assertThrows(IllegalArgumentException.class, () -> new Cityscapes(root, true, null, IMAGES).split(Split.TRAIN));
    assertTrue(e.getMessage().contains(root.resolve("leftImg8bit").resolve("train").toAbsolutePath().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("gtFine"), e.getMessage());
  }

  @Test
  void anImageWithoutLabelIsNamed() throws IOException {
    write("train", "aachen", "aachen_000000_000019", 4, 3, 7);
    Files.delete(root.resolve("gtFine/train/aachen/aachen_000000_000019_gtFine_labelIds.png"));
    var e = assertThrows(IllegalArgumentException.class, () -> new Cityscapes(root, true, null, IMAGES).split(Split.TRAIN));
    assertTrue(e.getMessage().contains("aachen_000000_000019_gtFine_labelIds.png"), e.getMessage());
  }

  @Test
  void anIdOutsideTheTableIsAnErrorNamingFileAndPixel() throws IOException {
    write("train", "aachen", "aachen_000000_000019", 4, 3, 7, 7, 40);
    var e = assertThrows(IOException.class, () -> new Cityscapes(root, true, null, IMAGES).split(Split.TRAIN).load(0));
    assertTrue(e.getMessage().contains("aachen_000000_000019_gtFine_labelIds.png"), e.getMessage());
    assertTrue(e.getMessage().contains("40"), e.getMessage());
    assertTrue(e.getMessage().contains("(2, 0)"), e.getMessage());
  }

  @Test
  void aTruncatedPngIsAnErrorNamingTheFile() throws IOException {
    write("train", "aachen", "aachen_000000_000019", 16, 16, 7);
    Path image = root.resolve("leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit.png");
    byte[] bytes = Files.readAllBytes(image);
    Files.write(image, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    var e = assertThrows(IOException.class, () -> new Cityscapes(root, true, null, IMAGES).split(Split.TRAIN).load(0));
    assertTrue(e.getMessage().contains("aachen_000000_000019_leftImg8bit.png"), e.getMessage());
  }

  @Test
  void aLabelOfAnotherSizeIsNamed() throws IOException {
    write("train", "aachen", "aachen_000000_000019", 4, 3, 7);
    BufferedImage small = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
    ImageIO.write(small, "png", root.resolve("gtFine/train/aachen/aachen_000000_000019_gtFine_labelIds.png").toFile());
    var e = assertThrows(IOException.class, () -> new Cityscapes(root, true, null, IMAGES).split(Split.TRAIN).load(0));
    assertTrue(e.getMessage().contains("2x2"), e.getMessage());
  }

  @Test
  void samplesLoadAtTheModelSizeAreaAveragedWithNearestLabels() throws IOException {
    write("train", "aachen", "aachen_000000_000019", 16, 8, 7, 11, 21, 23, 26, 0);
    Sample stored = new Cityscapes(root, true, null, IMAGES).split(Split.TRAIN).load(0);
    Sample small = new Cityscapes(root, true, new io.pixelwise.api.data.InputSize(4, 8), IMAGES).split(Split.TRAIN).load(0);
    assertEquals(List.of(8, 4, 3), List.of(small.image().width(), small.image().height(), small.image().channels()));
    assertArrayEquals(stored.labels().resized(8, 4).ids(), small.labels().ids());
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 8; x++) {
        for (int k = 0; k < 3; k++) {
          int sum = 0;
          for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
              sum += stored.image().pixels()[((2 * y + dy) * 16 + 2 * x + dx) * 3 + k] & 0xff;
            }
          }
          assertEquals((int) Math.rint(sum / 4.0), small.image().pixels()[(y * 8 + x) * 3 + k] & 0xff,
              "pixel (" + x + ", " + y + ") channel " + k);
        }
      }
    }
  }
}
