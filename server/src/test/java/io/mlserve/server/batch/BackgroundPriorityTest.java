package io.mlserve.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

public class BackgroundPriorityTest {
  /** The nice value of the calling thread, from /proc (field 19 of its stat line). */
  public static int niceOfCurrentThread() throws Exception {
    String stat = Files.readString(Path.of("/proc/thread-self/stat"));
    String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Integer.parseInt(after[16]); // fields from 3 on: the 19th is index 16
  }

  @Test
  void lowersOnlyTheCallingThreadToNice19() throws Exception {
    assumeTrue(Files.exists(Path.of("/proc/thread-self/stat")), "Linux /proc only");
    int before = niceOfCurrentThread();
    assumeTrue(before < BackgroundPriority.NICE, "the test JVM already runs at nice 19");
    AtomicReference<Optional<String>> result = new AtomicReference<>();
    AtomicInteger niceAfter = new AtomicInteger(Integer.MIN_VALUE);
    AtomicInteger priorityAfter = new AtomicInteger();
    Thread t = new Thread(() -> {
      result.set(BackgroundPriority.applyToCurrentThread());
      try {
        niceAfter.set(niceOfCurrentThread());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      priorityAfter.set(Thread.currentThread().getPriority());
    });
    t.start();
    t.join(10_000);
    assertEquals(Optional.empty(), result.get());
    assertEquals(BackgroundPriority.NICE, niceAfter.get());
    assertEquals(Thread.MIN_PRIORITY, priorityAfter.get());
    assertEquals(before, niceOfCurrentThread(), "other threads are untouched");
  }
}
