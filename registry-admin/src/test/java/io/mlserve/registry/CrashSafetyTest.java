package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real writer processes ({@link StoreWriterMain}) on a temp store: killed with SIGKILL at random
 * points mid-register and mid-promote, many rounds; and two running at once. After each, the
 * store must be readable and consistent ({@link StoreInvariants}).
 */
class CrashSafetyTest {
  @TempDir Path root;

  private static Process writer(Path root, int major, int count) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
        "-cp", System.getProperty("java.class.path"), StoreWriterMain.class.getName(),
        root.toString(), String.valueOf(major), String.valueOf(count))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  @Test
  void killedWritersLeaveAConsistentStore() throws Exception {
    Random rnd = new Random(42);
    int rounds = 8;
    for (int round = 0; round < rounds; round++) {
      Process p = writer(root, 1, -1);
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
          StandardCharsets.UTF_8));
      int ops = 1 + rnd.nextInt(6);
      for (int i = 0; i < ops; i++) {
        assertEquals("op", out.readLine(), "writer died early in round " + round);
      }
      p.destroyForcibly();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      StoreInvariants.check(root);
    }
    // The store is still writable after all that, and seqs keep increasing.
    try (EventLog events = EventLog.open(root)) {
      long before = events.lastSeq();
      Process p = writer(root, 1, 1);
      assertEquals(0, drainAndWait(p));
      assertTrue(EventLog.open(root).lastSeq() > before);
    }
    List<Long> seqs = StoreInvariants.check(root);
    assertTrue(seqs.size() >= rounds, "events: " + seqs.size());
    assertTrue(ModelStore.open(root).versions("m").size() >= rounds);
  }

  @Test
  void twoWriterProcessesAtOnceLoseNothing() throws Exception {
    int n = 6;
    List<Process> ps = new ArrayList<>(List.of(writer(root, 1, n), writer(root, 2, n)));
    for (Process p : ps) {
      assertEquals(0, drainAndWait(p));
    }
    List<Long> seqs = StoreInvariants.check(root);
    assertEquals(new HashSet<>(seqs).size(), seqs.size());
    assertEquals(seqs.size(), seqs.get(seqs.size() - 1).intValue(), "no gaps: " + seqs);
    assertEquals(2 * n, ModelStore.open(root).versions("m").size());
    try (EventLog events = EventLog.open(root)) {
      assertEquals(2 * n, events.readSince(0).stream()
          .filter(e -> e.eventType().equals(Event.REGISTERED)).count());
    }
  }

  private static int drainAndWait(Process p) throws Exception {
    p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return p.exitValue();
  }
}
