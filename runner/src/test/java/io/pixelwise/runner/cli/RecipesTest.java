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
}
