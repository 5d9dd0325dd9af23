package io.mlserve.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {
  @TempDir Path root;

  private static Event registered(String version) {
    return Event.registered("m", version, null, 1000L);
  }

  @Test
  void promotionEventHasTheExactWireForm() throws Exception {
    try (EventLog log = EventLog.open(root)) {
      for (int i = 0; i < 41; i++) {
        log.append(registered("0.0." + i));
      }
      log.append(Event.promoted("curve_forecaster", "1.2.0", Stage.PRODUCTION, "abc123def456",
          1640995200000L, "1.1.0"));
    }
    List<String> lines = Files.readAllLines(root.resolve("events.jsonl"));
    assertEquals("{\"event_type\":\"ml.model.promoted.v1\",\"model_name\":\"curve_forecaster\","
        + "\"version\":\"1.2.0\",\"stage\":\"Production\",\"run_id\":\"abc123def456\","
        + "\"timestamp\":1640995200000,\"seq\":42,\"previous_version\":\"1.1.0\"}",
        lines.get(41));
  }

  @Test
  void fieldsWithoutAValueAreWrittenAsNullNeverOmitted() throws Exception {
    try (EventLog log = EventLog.open(root)) {
      log.append(Event.promoted("m", "1.0.0", Stage.STAGING, null, 5L, null));
    }
    assertEquals("{\"event_type\":\"ml.model.promoted.v1\",\"model_name\":\"m\","
        + "\"version\":\"1.0.0\",\"stage\":\"Staging\",\"run_id\":null,\"timestamp\":5,"
        + "\"seq\":1,\"previous_version\":null}",
        Files.readAllLines(root.resolve("events.jsonl")).get(0));
  }

  @Test
  void seqIsStrictlyIncreasingAndRecoveredAfterReopen() {
    try (EventLog log = EventLog.open(root)) {
      assertEquals(1, log.append(registered("1.0.0")).seq());
      assertEquals(2, log.append(registered("1.0.1")).seq());
    }
    try (EventLog log = EventLog.open(root)) {
      assertEquals(2, log.lastSeq());
      assertEquals(3, log.append(registered("1.0.2")).seq());
      assertEquals(List.of(1L, 2L, 3L), log.readSince(0).stream().map(Event::seq).toList());
      assertEquals(List.of("1.0.2"), log.readSince(2).stream().map(Event::version).toList());
      assertEquals(registered("1.0.1").withSeq(2), log.readSince(1).get(0));
    }
  }

  @Test
  void tornLastLineIsIgnoredAndCutOffByTheNextAppend() throws Exception {
    try (EventLog log = EventLog.open(root)) {
      log.append(registered("1.0.0"));
      log.append(registered("1.0.1"));
    }
    Path file = root.resolve("events.jsonl");
    // A crash mid-append: a complete-looking object without its newline, then a reader.
    Files.writeString(file, "{\"event_type\":\"ml.model.registered.v1\",\"model_name\":\"m\","
        + "\"seq\":3}", StandardOpenOption.APPEND);
    try (EventLog log = EventLog.open(root)) {
      assertEquals(2, log.lastSeq());
      assertEquals(2, log.readSince(0).size());
      assertEquals(3, log.append(registered("1.0.2")).seq());
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertEquals(3, lines.size(), lines.toString());
    assertTrue(lines.get(2).contains("\"version\":\"1.0.2\",\"stage\":\"Development\""),
        lines.get(2));
  }

  @Test
  void subscribersReceiveDurableEventsAndAThrowingOneDoesNotStopOthers() {
    try (EventLog log = EventLog.open(root)) {
      List<Event> seen = new ArrayList<>();
      List<Long> seenOnDisk = new ArrayList<>();
      log.subscribe(e -> {
        throw new IllegalStateException("boom");
      });
      EventLog.Subscription sub = log.subscribe(e -> {
        seen.add(e);
        seenOnDisk.add((long) log.readSince(e.seq() - 1).size());
      });
      log.append(registered("1.0.0"));
      sub.close();
      log.append(registered("1.0.1"));
      assertEquals(List.of(registered("1.0.0").withSeq(1)), seen);
      assertEquals(List.of(1L), seenOnDisk, "delivered after it was on disk");
    }
  }

  @Test
  void eventsAppendedByASubscriberAreDeliveredAfterTheCurrentOneInSeqOrder() {
    try (EventLog log = EventLog.open(root)) {
      List<Long> order = new ArrayList<>();
      log.subscribe(e -> {
        if (e.seq() == 1) {
          log.append(registered("2.0.0"));
        }
      });
      log.subscribe(e -> order.add(e.seq()));
      log.append(registered("1.0.0"));
      assertEquals(List.of(1L, 2L), order);
    }
  }

  @Test
  void appendQueuedDeliversOnlyOnDeliverPending() {
    try (EventLog log = EventLog.open(root)) {
      List<Event> seen = new ArrayList<>();
      log.subscribe(seen::add);
      log.appendQueued(registered("1.0.0"));
      assertEquals(List.of(), seen);
      log.deliverPending();
      assertEquals(1, seen.size());
    }
  }

  @Test
  void closedLogRefusesAppends() {
    EventLog log = EventLog.open(root);
    log.close();
    assertThrows(IllegalStateException.class, () -> log.append(registered("1.0.0")));
  }

  @Test
  void twoInstancesOnOneStoreNeverReuseASeq() throws Exception {
    int perWriter = 50;
    List<Long> seqs = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (EventLog a = EventLog.open(root); EventLog b = EventLog.open(root)) {
      List<Future<?>> futures = new ArrayList<>();
      for (EventLog log : List.of(a, b)) {
        futures.add(pool.submit(() -> {
          for (int i = 0; i < perWriter; i++) {
            seqs.add(log.append(registered("1.0." + i)).seq());
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
      List<Long> onDisk = a.readSince(0).stream().map(Event::seq).toList();
      List<Long> expected = new ArrayList<>();
      for (long s = 1; s <= 2 * perWriter; s++) {
        expected.add(s);
      }
      assertEquals(expected, onDisk);
      assertEquals(expected, seqs.stream().sorted().toList());
    } finally {
      pool.shutdownNow();
    }
  }
}
