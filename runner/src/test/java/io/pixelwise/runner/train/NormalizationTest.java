package io.pixelwise.runner.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.pixelwise.api.data.InputSize;
import io.pixelwise.api.data.RasterImage;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.imaging.ImageDecoding;
import io.pixelwise.runner.config.ConfigLoader;
import io.pixelwise.runner.config.ConfigProblemsException;
import io.pixelwise.engine.input.ChannelStatistics;
import io.pixelwise.runner.plugins.PluginRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NormalizationTest {

  @Test
  void statisticsAreThoseOfTheImagesAsTheModelSeesThem() throws IOException {
    // Image k is uniformly (10k, 20, 200) in RGB; 4 images: red mean 15, std sqrt(125).
    SampleSource source = new SampleSource() {
      @Override
      public int size() {
        return 4;
      }

      @Override
      public Sample load(int index) {
        byte[] p = new byte[5 * 3 * 3];
        for (int i = 0; i < 15; i++) {
          p[3 * i] = (byte) (10 * index);
          p[3 * i + 1] = 20;
          p[3 * i + 2] = (byte) 200;
        }
        return new Sample("s" + index, new RasterImage(5, 3, 3, p), null);
      }
    };
    double[][] stats = ChannelStatistics.of(source, new InputSize(3, 5), 3, 100);
    assertEquals(15, stats[0][0], 1e-9);
    assertEquals(20, stats[0][1], 1e-9);
    assertEquals(200, stats[0][2], 1e-9);
    assertEquals(Math.sqrt(125), stats[1][0], 1e-9);
    assertEquals(1, stats[1][1], 1e-9, "flat channel: std raised to 1");
  }

  @Test
  void trainSplitNormalisationIsWrittenIntoTheRunConfig() {
    PluginRegistry plugins = PluginRegistry.load();
    var loaded = ConfigLoader.load(Path.of("..", "conf", "synthetic-simple.conf").toString(),
        List.of("data.normalization = train-split", "data.normalization-images = 6", "data.height = 32", "data.width = 64"),
        plugins.classLoaders(), plugins.names());
    Experiment experiment = new Experiment(loaded.config(), plugins, new ImageDecoding());
    var written = ConfigFactory.parseString(experiment.render());
    assertEquals("config", written.getString("data.normalization"));
    List<Double> mean = written.getDoubleList("data.mean");
    assertEquals(3, mean.size());
    assertTrue(mean.stream().allMatch(m -> m > 20 && m < 235), "implausible mean " + mean);
    assertTrue(!mean.equals(List.of(123.675, 116.28, 103.53)), "ImageNet defaults kept");
  }

  @Test
  void anUnknownModeIsAConfigError() {
    PluginRegistry plugins = PluginRegistry.load();
    RuntimeException e = assertThrows(RuntimeException.class, () -> {
      var loaded = ConfigLoader.load(Path.of("..", "conf", "synthetic-simple.conf").toString(),
          List.of("data.normalization = imagenet"), plugins.classLoaders(), plugins.names());
      new Experiment(loaded.config(), plugins, new ImageDecoding());
    });
    assertTrue(e instanceof IllegalArgumentException || e instanceof ConfigProblemsException);
    assertTrue(e.getMessage().contains("data.normalization"), e.getMessage());
  }
}
