package io.pixelwise.engine.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {
  @TempDir Path dir;

  @Test
  void nonFiniteNumbersBecomeNull() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("miou", 0.5);
    doc.put("iou", Arrays.asList(0.25, Double.NaN, Double.POSITIVE_INFINITY));
    String json = Json.render(doc);
    assertFalse(json.contains("NaN") || json.contains("Infinity"), json);
    var parsed = ConfigFactory.parseString(json);
    assertEquals(0.5, parsed.getDouble("miou"));
    List<?> iou = parsed.getList("iou").unwrapped();
    assertEquals(0.25, ((Number) iou.get(0)).doubleValue());
    assertEquals(null, iou.get(1));
  }

  @Test
  void aFailedWriteKeepsThePreviousVersionAndNamesTheFile() throws IOException {
    Path file = dir.resolve("metrics.json");
    Json.write(file, Map.of("epoch", 1));
    // A directory where the temporary file would go makes the write fail, as a full disk would.
    Files.createDirectories(dir.resolve("metrics.json.tmp").resolve("blocker"));
    var e = assertThrows(IOException.class, () -> Json.write(file, Map.of("epoch", 2)));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertEquals(1, ConfigFactory.parseFile(file.toFile()).getInt("epoch"));
  }
}
