package io.mlserve.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.mlserve.server.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchQueueTest {
  private static BatchRequest request(int rows, long enqueuedNanos) {
    return new BatchRequest(new Tensor[0], rows, enqueuedNanos, Long.MAX_VALUE);
  }

  @Test
  void aBatchTakesWholeRequestsInArrivalOrderUpToMaxRows() {
    BatchQueue queue = new BatchQueue(new BatchSettings(4, 0, 10, 1_000));
    BatchRequest a = request(2, 0);
    BatchRequest b = request(1, 0);
    BatchRequest c = request(2, 0);
    queue.add(a);
    queue.add(b);
    queue.add(c);
    assertEquals(5, queue.rows());
    List<BatchRequest> timedOut = new ArrayList<>();
    assertEquals(List.of(a, b), queue.take(0, false, timedOut));
    assertEquals(List.of(), timedOut);
    assertEquals(2, queue.rows());
    assertSame(c, queue.oldest());
  }

  @Test
  void theOldestWaitsOutTheDelayUnlessTheBatchIsFullOrTheBatcherClosed() {
    BatchQueue queue = new BatchQueue(new BatchSettings(2, 10, 10, 1_000));
    assertEquals(-1, queue.waitNanos(0, false));
    queue.add(request(1, 0));
    assertEquals(6, queue.waitNanos(4, false));
    assertNull(queue.take(4, false, new ArrayList<>()));
    assertEquals(0, queue.waitNanos(4, true));
    assertEquals(0, queue.waitNanos(10, false));
    queue.add(request(1, 3));
    assertEquals(0, queue.waitNanos(4, false));
  }

  @Test
  void requestsThatWaitedOutTheTimeoutAreSetApartWhereverTheyStand() {
    BatchQueue queue = new BatchQueue(new BatchSettings(4, 0, 10, 100));
    BatchRequest stale = request(1, 0);
    BatchRequest fresh = request(1, 60);
    BatchRequest staleBehind = request(1, 5); // queued after fresh, its clock read earlier
    queue.add(stale);
    queue.add(fresh);
    queue.add(staleBehind);
    List<BatchRequest> timedOut = new ArrayList<>();
    assertEquals(List.of(fresh), queue.take(110, false, timedOut));
    assertEquals(List.of(stale, staleBehind), timedOut);
    assertEquals(0, queue.rows());
  }

  @Test
  void removeAllEmptiesTheQueueAndItsRows() {
    BatchQueue queue = new BatchQueue(new BatchSettings(4, 0, 10, 100));
    BatchRequest a = request(3, 0);
    queue.add(a);
    assertEquals(List.of(a), queue.removeAll());
    assertEquals(0, queue.rows());
    assertEquals(-1, queue.waitNanos(0, false));
  }
}
