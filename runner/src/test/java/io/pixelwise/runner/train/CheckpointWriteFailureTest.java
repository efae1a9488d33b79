package io.pixelwise.runner.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pixelwise.engine.ModelSession;
import io.pixelwise.engine.SegmentationGraph;
import io.pixelwise.engine.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint write that fails (a full disk, say: injected here by a folder squatting on the file
 * name SaveV2 renames its output to) stops with the checkpoint's name and leaves the previous one
 * as the latest, restorable.
 */
class CheckpointWriteFailureTest {
  @TempDir Path dir;

  @Test
  void aFailedSaveKeepsThePreviousCheckpoint() throws IOException {
    CheckpointStore store = new CheckpointStore(dir, 5);
    try (SegmentationGraph graph = TestModels.tiny(3);
        ModelSession session = new ModelSession(graph, 1, 1)) {
      session.initialize();
      session.train(TestModels.tinyBatch(1, 4), 1e-2f, 1);
      String first = store.save(session, 1, 1, Map.of());
      Map<String, float[]> saved = session.variableValues();

      session.train(TestModels.tinyBatch(2, 4), 1e-2f, 2);
      Files.createDirectories(dir.resolve("step-0000002.data-00000-of-00001"));
      Files.createDirectories(dir.resolve("step-0000002.index"));
      IOException e = assertThrows(IOException.class, () -> store.save(session, 2, 2, Map.of()));
      assertTrue(e.getMessage().contains("step-0000002"), e.getMessage());
      assertEquals(first, store.pointer(CheckpointStore.LATEST).orElseThrow());

      session.restore(CheckpointStore.resolve(dir));
      Map<String, float[]> restored = session.variableValues();
      for (var entry : saved.entrySet()) {
        assertArrayEquals(entry.getValue(), restored.get(entry.getKey()), entry.getKey());
      }
    }
  }
}
