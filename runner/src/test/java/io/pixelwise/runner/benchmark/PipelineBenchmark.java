package io.pixelwise.runner.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.data.DatasetContext;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.data.Split;
import io.pixelwise.imaging.ImageDecoding;
import io.pixelwise.imaging.PngWriter;
import io.pixelwise.runner.cli.Main;
import io.pixelwise.runner.plugins.PluginRegistry;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input-pipeline speed on full-resolution Cityscapes files (2048x1024 PNGs, resized to 384x160),
 * from the files and from the preprocessed cache. No real Cityscapes here: synthetic scenes are
 * written in its exact layout and formats. Prints the figures; run with
 * {@code mvn test -pl runner -am -Dbenchmarks -Dtest=PipelineBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * (add {@code -Dpixelwise.benchmark.set=data.libdeflate=false} to measure without libdeflate,
 * {@code -Dpixelwise.benchmark.png-filter=4} for images whose rows are all Paeth-filtered).
 */
@Tag("benchmark")
class PipelineBenchmark {
  /** 7-class train id -> a Cityscapes label id of that category (ignore -> ego vehicle). */
  private static final int[] LABEL_ID = {7, 11, 17, 21, 23, 24, 26};
  private static final int IMAGES = Integer.getInteger("pixelwise.benchmark.images", 60);
  /**
   * Row filter of the image files: unset, ImageIO's writer (filter 0, none, on every row); 0..4,
   * that filter on every row, as real encoders mostly choose Paeth (4), Sub (1) and Up (2) for photos.
   */
  private static final int FILTER = Integer.getInteger("pixelwise.benchmark.png-filter", -1);

  @TempDir Path root;

  @Test
  void decodeResizeAndCacheRead() throws Exception {
    SampleSource scenes =
        PluginRegistry.load().dataset("synthetic-streets")
            .create(new DatasetContext(ConfigFactory.parseString("train-size = " + IMAGES + ", val-size = 0, test-size = 0, seed = 3"),
                new InputSize(1024, 2048), new ImageDecoding()))
            .split(Split.TRAIN);
    Path images = Files.createDirectories(root.resolve("leftImg8bit/train/bochum"));
    Path labels = Files.createDirectories(root.resolve("gtFine/train/bochum"));
    for (int i = 0; i < IMAGES; i++) {
      Sample s = scenes.load(i);
      String stem = String.format("bochum_%06d_000019", i);
      BufferedImage rgb = new BufferedImage(2048, 1024, BufferedImage.TYPE_3BYTE_BGR);
      BufferedImage ids = new BufferedImage(2048, 1024, BufferedImage.TYPE_BYTE_GRAY);
      byte[] px = s.image().pixels();
      byte[] l = s.labels().ids();
      for (int p = 0; p < 2048 * 1024; p++) {
        rgb.setRGB(p % 2048, p / 2048, (px[3 * p] & 0xff) << 16 | (px[3 * p + 1] & 0xff) << 8 | (px[3 * p + 2] & 0xff));
        int id = l[p] & 0xff;
        ids.getRaster().setSample(p % 2048, p / 2048, 0, id < LABEL_ID.length ? LABEL_ID[id] : 1);
      }
      if (FILTER < 0) {
        ImageIO.write(rgb, "png", new File(images.toFile(), stem + "_leftImg8bit.png"));
      } else {
        Files.write(images.resolve(stem + "_leftImg8bit.png"), PngWriter.encode(2048, 1024, 2, px, null, FILTER));
      }
      ImageIO.write(ids, "png", new File(labels.toFile(), stem + "_gtFine_labelIds.png"));
    }
    long bytes;
    try (var files = Files.walk(images)) {
      bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    System.out.printf("fixture: %d Cityscapes-layout pairs at 2048x1024, %.1f MiB of images (row filter %s)%n", IMAGES,
        bytes / 1048576.0, FILTER < 0 ? "0, ImageIO's writer" : FILTER);
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("benchmark", "cityscapes7-simple",
        "--only", "pipeline,cache", "--images", String.valueOf(IMAGES),
        "--set", "datasets.cityscapes-7.root=\"" + root.toString().replace('\\', '/') + "\""));
    String extra = System.getProperty("pixelwise.benchmark.set"); // e.g. data.libdeflate=false
    if (extra != null && !extra.isBlank()) {
      args.addAll(java.util.List.of("--set", extra));
    }
    String json = System.getProperty("pixelwise.benchmark.json"); // tools/performance/table.sh reads it
    if (json != null) {
      args.addAll(java.util.List.of("--json", json));
    }
    int status = Main.run(args.toArray(String[]::new));
    assertEquals(0, status);
  }
}
