package io.mlserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ExitActionsTest {
  @Test
  void runsLastAddedFirstEachOnceAndSkipsCancelled() {
    ExitActions exit = new ExitActions();
    List<String> ran = new CopyOnWriteArrayList<>();
    exit.add(() -> ran.add("remove store"));
    ExitActions.Registration skipped = exit.add(() -> ran.add("cancelled"));
    exit.add(() -> {
      ran.add("stop server");
      throw new IllegalStateException("boom"); // reported; the others still run
    });
    skipped.cancel();
    exit.runAll();
    exit.runAll();
    assertEquals(List.of("stop server", "remove store"), ran);
  }

  @Test
  void aSecondCallerReturnsOnlyWhenTheFirstHasFinished() throws Exception {
    ExitActions exit = new ExitActions();
    CountDownLatch inAction = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> ran = new CopyOnWriteArrayList<>();
    exit.add(() -> ran.add("remove store"));
    exit.add(() -> {
      inAction.countDown();
      try {
        assertTrue(release.await(30, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ran.add("stop server");
    });
    Thread hook = new Thread(exit::runAll, "hook");
    hook.start();
    assertTrue(inAction.await(30, TimeUnit.SECONDS));
    Thread command = new Thread(() -> {
      exit.runAll();
      ran.add("command returned");
    }, "command");
    command.start();
    // The command's runAll is blocked behind the hook's: it cannot return before the actions
    // ran, whatever the scheduling.
    assertFalse(ran.contains("command returned"));
    release.countDown();
    hook.join(30_000);
    command.join(30_000);
    assertEquals(List.of("stop server", "remove store", "command returned"), ran);
  }
}
