package io.pixelwise.runner.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which checkpoints a run keeps ({@code train.keep-checkpoints}): the newest ones, the best and the latest. */
class CheckpointRetentionTest {
  private static final List<String> FIVE = List.of("step-1", "step-2", "step-3", "step-4", "step-5");

  @Test
  void allButTheNewestAreDeleted() {
    assertEquals(List.of("step-1", "step-2", "step-3"), CheckpointStore.toDelete(FIVE, 2, "", "step-5"));
    assertEquals(List.of(), CheckpointStore.toDelete(FIVE, 5, "", "step-5"));
    assertEquals(List.of(), CheckpointStore.toDelete(FIVE, 9, "", "step-5"));
  }

  @Test
  void theBestAndTheLatestAreKeptWhateverTheirAge() {
    assertEquals(List.of("step-1", "step-3", "step-4"), CheckpointStore.toDelete(FIVE, 1, "step-2", "step-5"));
    // A rolled-back run's latest pointer may name an older checkpoint than the newest file.
    assertEquals(List.of("step-2", "step-4"), CheckpointStore.toDelete(FIVE, 1, "step-1", "step-3"));
  }

  @Test
  void keepingNoneIsRefused() {
    assertEquals("train.keep-checkpoints must be >= 1, got 0",
        assertThrows(IllegalArgumentException.class, () -> new CheckpointStore(Path.of("x"), 0)).getMessage());
  }
}
