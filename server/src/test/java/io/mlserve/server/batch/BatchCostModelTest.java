package io.mlserve.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BatchCostModelTest {
  private static void teach(BatchCostModel model, int rows, long nanos, int times) {
    for (int i = 0; i < times; i++) {
      model.batchRan(rows, nanos);
    }
  }

  @Test
  void learnsTheFixedTimePerBatchFromTwoSizeRanges() {
    BatchCostModel model = new BatchCostModel();
    teach(model, 1, 250_000, 4); // fixed 210 us + 40 us a row
    assertEquals(0, model.fixedNanos(), "one size range says nothing about the slope");
    teach(model, 64, 210_000 + 64 * 40_000, 3);
    assertEquals(0, model.fixedNanos(), "three batches of 64 are not enough yet");
    model.batchRan(64, 210_000 + 64 * 40_000);
    assertEquals(210_000, model.fixedNanos(), 1);
    teach(model, 16, 210_000 + 16 * 40_000, 4); // a range in between changes nothing
    assertEquals(210_000, model.fixedNanos(), 1);
  }

  @Test
  void aModelWhoseTimeIsProportionalToItsRowsHasNoFixedTime() {
    BatchCostModel model = new BatchCostModel();
    teach(model, 2, 2 * 40_000, 8);
    teach(model, 40, 40 * 40_000, 8);
    assertEquals(0, model.fixedNanos());
    BatchCostModel slower = new BatchCostModel(); // superlinear: clamped to 0, not negative
    teach(slower, 2, 2 * 40_000, 8);
    teach(slower, 40, 40 * 80_000, 8);
    assertEquals(0, slower.fixedNanos());
  }

  @Test
  void followsAModelThatGotSlower() {
    BatchCostModel model = new BatchCostModel();
    teach(model, 1, 100_000, 8);
    teach(model, 32, 90_000 + 32 * 10_000, 8);
    assertEquals(90_000, model.fixedNanos(), 1);
    teach(model, 1, 300_000, 60);
    teach(model, 32, 290_000 + 32 * 10_000, 60);
    assertEquals(290_000, model.fixedNanos(), 1_000);
  }

  @Test
  void sizeRangesArePowersOfTwo() {
    assertEquals(0, BatchCostModel.range(1));
    assertEquals(1, BatchCostModel.range(2));
    assertEquals(2, BatchCostModel.range(3));
    assertEquals(2, BatchCostModel.range(4));
    assertEquals(6, BatchCostModel.range(33));
    assertEquals(6, BatchCostModel.range(64));
  }
}
