package io.pixelwise.runner.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictorInputsTest {
  @TempDir Path dir;

  @BeforeEach
  void files() throws IOException {
    Files.createDirectories(dir.resolve("a"));
    Files.createDirectories(dir.resolve("b"));
    for (String f : List.of("a/x.png", "a/y.jpg", "a/notes.md", "b/z.png", "b/w.jpeg")) {
      Files.writeString(dir.resolve(f), "");
    }
  }

  private static List<String> names(List<Path> paths) {
    return paths.stream().map(p -> p.getFileName().toString()).toList();
  }

  @Test
  void aFolderGivesItsImagesSorted() throws IOException {
    assertEquals(List.of("x.png", "y.jpg"), names(Predictor.inputs(dir.resolve("a"))));
  }

  @Test
  void aGlobMatchesAcrossFolders() throws IOException {
    assertEquals(List.of("x.png", "z.png"), names(Predictor.inputs(dir.toString().replace('\\', '/') + "/*/*.png")));
  }

  @Test
  void aListFileKeepsItsOrderAndResolvesRelativePaths() throws IOException {
    Path list = dir.resolve("frames.txt");
    Files.writeString(list, "# frames to label\nb/z.png\n\na/x.png\n");
    assertEquals(List.of("z.png", "x.png"), names(Predictor.inputs(list)));

    Files.writeString(list, "a/x.png\na/missing.png\n");
    var e = assertThrows(IllegalArgumentException.class, () -> Predictor.inputs(list));
    assertTrue(e.getMessage().contains("frames.txt:2") && e.getMessage().contains("missing.png"), e.getMessage());
  }

  @Test
  void twoInputsWithOneStemAreRefused() throws IOException {
    Files.writeString(dir.resolve("b/x.png"), "");
    var e = assertThrows(IllegalArgumentException.class,
        () -> Predictor.inputs(dir.toString().replace('\\', '/') + "/*/x.png"));
    assertTrue(e.getMessage().contains("x_labels.png"), e.getMessage());
  }

  @Test
  void nothingToPredictIsAClearError() {
    var e = assertThrows(IllegalArgumentException.class, () -> Predictor.inputs(dir.resolve("nowhere")));
    assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
  }
}
