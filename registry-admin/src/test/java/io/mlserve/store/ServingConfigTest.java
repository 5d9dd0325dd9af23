package io.mlserve.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ServingConfigTest {
  @Test
  void defaults() {
    assertEquals(new ServingConfig(64, 0, 1024, 1, "cpu", 1), ServingConfig.defaults());
  }

  @Test
  void withMaxBatchSizeChangesOnlyThat() {
    ServingConfig s = new ServingConfig(32, 7, 9, 2, "gpu0", 3).withMaxBatchSize(1);
    assertEquals(new ServingConfig(1, 7, 9, 2, "gpu0", 3), s);
  }

  @Test
  void rejectsOutOfRangeValuesNamingTheField() {
    assertMessage("serving.max_batch_size must be >= 1, got 0",
        () -> new ServingConfig(0, 0, 1, 1, "cpu", 1));
    assertMessage("serving.max_queue_delay_us must be >= 0, got -1",
        () -> new ServingConfig(1, -1, 1, 1, "cpu", 1));
    assertMessage("serving.queue_capacity must be >= 1, got 0",
        () -> new ServingConfig(1, 0, 0, 1, "cpu", 1));
    assertMessage("serving.instances must be >= 1, got 0",
        () -> new ServingConfig(1, 0, 1, 0, "cpu", 1));
    assertMessage("serving.threads_per_instance must be >= 1, got 0",
        () -> new ServingConfig(1, 0, 1, 1, "cpu", 0));
  }

  private static void assertMessage(String expected, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
