package io.pixelwise.runner.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.data.Dataset;
import io.pixelwise.api.data.DatasetContext;
import io.pixelwise.api.data.ImageReader;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.RasterImage;
import io.pixelwise.api.data.Split;
import io.pixelwise.datasets.folder.FolderDataset;
import io.pixelwise.datasets.kitti.KittiRoad;
import io.pixelwise.engine.input.BatchLoader;
import io.pixelwise.imaging.ImageDecoding;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict} feeds the model the very bytes that training and evaluation feed it for the same
 * file: the dataset's decoding and resizing, not a second implementation. Sizes as in KITTI Road
 * (1242x375 to 576x160: ratios that are not whole numbers, where the two used to differ) and a
 * Cityscapes-like 2x shrink (the area average), PNG and JPEG.
 */
class PredictInputTest {
  /** One reader for both sides, as the runner hands the experiment's to the dataset and predict. */
  private static final ImageReader IMAGES = new ImageDecoding();
  @TempDir Path dir;

  /** A street-like picture: smooth gradients with fine noise, so that every resize kernel shows. */
  private static BufferedImage picture(int w, int h, long seed) {
    Random random = new Random(seed);
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int r = (x * 255 / w + random.nextInt(40)) & 0xff;
        int g = (y * 255 / h + random.nextInt(40)) & 0xff;
        int b = ((x + y) * 97 / (w + h) + random.nextInt(90)) & 0xff;
        image.setRGB(x, y, r << 16 | g << 8 | b);
      }
    }
    return image;
  }

  /** The training pipeline's model input for the split's first sample (what BatchLoader packs). */
  private static byte[] trainingInput(Dataset dataset, InputSize size) throws IOException {
    RasterImage image = dataset.split(Split.TEST).load(0).image();
    return ImageDecoding.resize(BatchLoader.toChannels(image, 3, "sample"), size.width(), size.height()).pixels();
  }

  private static byte[] predictInput(Path file, InputSize size) throws IOException {
    RasterImage input = new Predictor(null, null, size, 3, IMAGES).modelInput(file);
    assertEquals(size.width(), input.width());
    assertEquals(size.height(), input.height());
    return input.pixels();
  }

  @Test
  void kittiRoadTestImagesArePredictedFromTheTrainingInput() throws IOException {
    InputSize size = new InputSize(160, 576);
    Path images = Files.createDirectories(dir.resolve("data_road/testing/image_2"));
    Path file = images.resolve("um_000000.png");
    ImageIO.write(picture(1242, 375, 1), "png", file.toFile());
    KittiRoad kitti = new KittiRoad(dir.resolve("data_road"), KittiRoad.GroundTruth.ROAD, 0.2, 1, size, IMAGES);
    assertArrayEquals(trainingInput(kitti, size), predictInput(file, size));
  }

  @Test
  void folderImagesAsPngAndJpegAtAnySizeArePredictedFromTheTrainingInput() throws IOException {
    for (String type : new String[] {"png", "jpg"}) {
      for (int[] stored : new int[][] {{1242, 375}, {800, 336}, {500, 200}}) {
        InputSize size = new InputSize(160, 384);
        Path root = dir.resolve(type + stored[0]);
        Path images = Files.createDirectories(root.resolve("images/test"));
        Files.createDirectories(root.resolve("images/train"));
        Files.createDirectories(root.resolve("images/val"));
        Path file = images.resolve("frame." + type);
        ImageIO.write(picture(stored[0], stored[1], stored[0]), type, file.toFile());
        FolderDataset folder = FolderDataset.fromConfig(new DatasetContext(
            ConfigFactory.parseString("root = \"" + root + "\", split = folders, classes = [{name = road, color = [128, 64, 128]}]")
                .withFallback(ConfigFactory.defaultReference().getConfig("datasets.folder")),
            size, IMAGES));
        assertArrayEquals(trainingInput(folder, size), predictInput(file, size), type + " " + stored[0] + "x" + stored[1]);
      }
    }
  }
}
