package io.pixelwise.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every recipe shipped in conf/ resolves against the real plugins and passes validation. */
class RecipesTest {

  static List<Path> recipes() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("..", "conf"))) {
      List<Path> all = files.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
      assertFalse(all.isEmpty(), "no recipes in conf/");
      return all;
    }
  }

  @ParameterizedTest
  @MethodSource("recipes")
  void recipeIsValid(Path recipe) {
    CommandLineEndToEndTest.Result r = CommandLineEndToEndTest.main("config", recipe.toString());
    assertEquals(0, r.status(), recipe + ":\n" + r.err());
  }

  /** Options only a component can check (class names in metric groups, say) are right too. */
  @ParameterizedTest
  @MethodSource("recipes")
  void recipeComponentsAccept(Path recipe) {
    var plugins = io.pixelwise.runner.plugins.PluginRegistry.load();
    var loaded = io.pixelwise.runner.config.ConfigLoader.load(
        recipe.toString(), java.util.List.of(), plugins.classLoaders(), plugins.names());
    var experiment = new io.pixelwise.runner.train.Experiment(loaded.config(), plugins, new io.pixelwise.imaging.ImageDecoding());
    assertFalse(experiment.newMetrics().isEmpty());
    experiment.graphSpec();
  }

  /** KITTI users rank by the devkit's MaxF: the recipe scores with it and keeps its best checkpoint by it. */
  @org.junit.jupiter.api.Test
  void theKittiRecipeEvaluatesWithTheDevkitsMeasures() {
    var plugins = io.pixelwise.runner.plugins.PluginRegistry.load();
    var loaded = io.pixelwise.runner.config.ConfigLoader.load(
        Path.of("..", "conf", "kitti-road-fcn8-vgg16.conf").toString(), List.of(), plugins.classLoaders(), plugins.names());
    var experiment = new io.pixelwise.runner.train.Experiment(loaded.config(), plugins, new io.pixelwise.imaging.ImageDecoding());
    assertEquals(List.of("confusion", "kitti-road"), List.copyOf(experiment.newMetrics().keySet()));
    assertEquals("kitti-road.maxf", loaded.config().getString("train.best-by"));
  }
}
