package io.pixelwise.runner.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.SegmentationClass;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChartsTest {
  private static final ClassInfo CLASSES =
      new ClassInfo(
          List.of(SegmentationClass.of("road", 128, 64, 128), SegmentationClass.of("sky", 70, 130, 180)),
          255, 0);

  private static List<Map<String, Object>> history() {
    List<Map<String, Object>> history = new ArrayList<>();
    for (int epoch = 1; epoch <= 5; epoch++) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("epoch", epoch);
      r.put("train_loss", 2.0 / epoch);
      if (epoch % 2 == 1) { // validation every other epoch: gaps must not break the curves
        r.put("val_loss", 2.2 / epoch);
        Map<String, Object> confusion = new LinkedHashMap<>();
        confusion.put("miou", 0.1 * epoch);
        confusion.put("iou/road", 0.15 * epoch);
        confusion.put("iou/sky", Double.NaN); // absent class
        r.put("metrics", Map.of("confusion", confusion));
      }
      history.add(r);
    }
    return history;
  }

  private static long count(BufferedImage image, int rgb) {
    long n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        n += (image.getRGB(x, y) & 0xffffff) == rgb ? 1 : 0;
      }
    }
    return n;
  }

  @Test
  void lossCurvesDrawBothSeries() {
    BufferedImage img = Charts.lossCurves(history());
    assertEquals(900, img.getWidth());
    assertTrue(count(img, 0x1f77b4) > 50, "train series (blue) not drawn");
    assertTrue(count(img, 0xff7f0e) > 50, "validation series (orange) not drawn");
  }

  @Test
  void iouCurvesUseTheClassColours() {
    BufferedImage img = Charts.iouCurves(history(), "confusion", CLASSES);
    assertTrue(count(img, 0x804080) > 20, "road IoU not drawn in the road colour");
    assertTrue(count(img, 0x000000) > 50, "mIoU not drawn");
  }

  @Test
  void confusionShadesCellsByRowShare() {
    // road: all correct; sky: half predicted as road.
    BufferedImage img = Charts.confusion(List.of(List.of(100L, 0L), List.of(50L, 50L)), CLASSES);
    assertTrue(count(img, 0x08306b) > 500, "no full-share (darkest) cell");
    assertTrue(img.getWidth() >= 520);
  }

  @Test
  void sampleGridShowsImageTruthAndPrediction() {
    byte[] pixels = new byte[4 * 2 * 3];
    java.util.Arrays.fill(pixels, (byte) 200);
    byte[] truth = {0, 0, 1, 1, 0, 0, 1, 1};
    byte[] predicted = {1, 1, 1, 1, 1, 1, 1, 1};
    BufferedImage grid =
        SampleGrid.draw(List.of(new SampleGrid.Row("a", 4, 2, 3, pixels, truth, predicted)), CLASSES);
    int scale = 256 / 4;
    int cw = 4 * scale;
    int y = 22 + 1;
    assertEquals(0xc8c8c8, grid.getRGB(4 + 1, y) & 0xffffff, "image column");
    assertEquals(0x804080, grid.getRGB(4 + cw + 4 + 1, y) & 0xffffff, "truth column, road");
    assertEquals(0x4682b4, grid.getRGB(4 + cw + 4 + 3 * scale, y) & 0xffffff, "truth column, sky");
    assertEquals(0x4682b4, grid.getRGB(4 + 2 * (cw + 4) + 1, y) & 0xffffff, "prediction column");
  }
}
