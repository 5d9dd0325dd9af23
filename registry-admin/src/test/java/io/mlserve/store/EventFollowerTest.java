package io.mlserve.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventFollowerTest {
  @TempDir Path root;

  private static List<Long> take(BlockingQueue<Event> q, int n) throws InterruptedException {
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Event e = q.poll(30, TimeUnit.SECONDS); // bounded; generous for a loaded machine
      assertNotNull(e, "event " + (i + 1) + " of " + n + " did not arrive");
      seqs.add(e.seq());
    }
    return seqs;
  }

  @Test
  void deliversBacklogThenLiveEventsInOrderEachOnce() throws Exception {
    BlockingQueue<Event> q = new LinkedBlockingQueue<>();
    try (EventLog log = EventLog.open(root)) {
      for (int i = 0; i < 3; i++) {
        log.append(Event.registered("m", "1.0." + i, null, i));
      }
      try (EventFollower f = EventFollower.start(root, 1, q::add, Duration.ofMillis(50))) {
        assertEquals(List.of(2L, 3L), take(q, 2));
        // A second writer instance (as another process would) appends.
        try (EventLog other = EventLog.open(root)) {
          other.append(Event.registered("m", "2.0.0", null, 9));
        }
        log.append(Event.registered("m", "2.0.1", null, 10));
        assertEquals(List.of(4L, 5L), take(q, 2));
        assertEquals(5L, f.lastSeq());
      }
      assertNull(q.poll());
    }
  }

  @Test
  void aTornLineIsDeliveredOnceComplete() throws Exception {
    BlockingQueue<Event> q = new LinkedBlockingQueue<>();
    Path file = root.resolve(EventLog.FILE_NAME);
    String line = Event.registered("m", "1.0.0", null, 1).withSeq(1).toJson();
    Files.writeString(file, line.substring(0, 10));
    try (EventFollower f = EventFollower.start(root, 0, q::add, Duration.ofMillis(20))) {
      Files.write(file, (line.substring(10) + "\n").getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.APPEND);
      assertEquals(List.of(1L), take(q, 1));
    }
  }

  @Test
  void reconnectingWithTheLastSeqMissesNothingAndRepeatsNothing() throws Exception {
    try (EventLog log = EventLog.open(root)) {
      BlockingQueue<Event> first = new LinkedBlockingQueue<>();
      long last;
      try (EventFollower f = EventFollower.start(root, 0, first::add, Duration.ofMillis(50))) {
        log.append(Event.registered("m", "1.0.0", null, 1));
        log.append(Event.registered("m", "1.0.1", null, 2));
        List<Long> seen = take(first, 2);
        assertEquals(List.of(1L, 2L), seen);
        // A reconnecting reader passes the last seq it received.
        last = seen.get(seen.size() - 1);
        assertEquals(last, f.lastSeq(), "lastSeq() is set before the sink sees the event");
      }
      log.append(Event.registered("m", "1.0.2", null, 3)); // while disconnected
      BlockingQueue<Event> second = new LinkedBlockingQueue<>();
      try (EventFollower f = EventFollower.start(root, last, second::add,
          Duration.ofMillis(50))) {
        log.append(Event.registered("m", "1.0.3", null, 4));
        assertEquals(List.of(3L, 4L), take(second, 2));
      }
    }
  }
}
