package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.experiments.RunStore;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.FullDisk;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Signature;
import io.mlserve.store.Stage;
import io.mlserve.store.TensorSpec;
import io.mlserve.store.TrafficSplit;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every mutating operation of the registry and the run store, on a disk that fills up at each of
 * the operation's file writes in turn ({@link FullDisk}): each failed attempt must leave the store
 * byte for byte as it was (no pointer moved, no history or event line, no temp file, nothing
 * delivered), say why without a class name or a server path, and leave a store that reopens
 * unchanged and takes the same operation once space is back.
 */
class FullDiskTest {
  private static final Signature SIG = new Signature(
      List.of(new TensorSpec("x", "FP32", List.of(-1L, 2L))),
      List.of(new TensorSpec("y", "FP32", List.of(-1L, 2L))));

  @TempDir Path tmp;

  /** One store, opened over a disk that can fill up. */
  private final class Fx implements AutoCloseable {
    final Path root;
    final FullDisk disk = new FullDisk();
    final ModelStore store;
    final EventLog events;
    final ModelRegistry registry;
    final RunStore runs;
    final List<Event> delivered = new ArrayList<>();

    Fx(Path root) {
      this.root = root;
      store = ModelStore.open(root, disk);
      events = EventLog.open(root, disk);
      registry = new ModelRegistry(store, events, ArtifactValidator.none(),
          new TestClock(Instant.parse("2026-11-29T10:00:00Z")));
      runs = new RunStore(store, events, new TestClock(Instant.parse("2026-11-29T10:00:00Z")));
      events.subscribe(delivered::add);
    }

    void register(String version) throws IOException {
      Path artifact = tmp.resolve("model.pt");
      Path examples = tmp.resolve("examples.json");
      if (!Files.exists(artifact)) {
        Files.write(artifact, new byte[4096]);
        Files.writeString(examples, "{\"inputs\":[[1.0,2.0]],\"outputs\":[[2.0,3.0]]}");
      }
      registry.register(new RegisterRequest("m", version, artifact, "torchscript", SIG, null,
          null, Map.of("lr", 0.1), null, "a card", examples, "alice"));
    }

    String runId() {
      return runs.list("m").get(0).runId();
    }

    @Override
    public void close() {
      events.close();
    }
  }

  @FunctionalInterface
  private interface Step {
    void run(Fx f) throws Exception;
  }

  private record Op(String name, Step setup, Step op) {}

  private static List<Op> ops() {
    Step one = f -> f.register("1.0.0");
    Step staged = f -> {
      one.run(f);
      f.register("1.1.0");
      f.registry.promote("m", "1.0.0", Stage.PRODUCTION, "alice", null);
      f.registry.promote("m", "1.1.0", Stage.STAGING, "alice", null);
    };
    Step rolledOut = f -> {
      staged.run(f);
      f.registry.promote("m", "1.1.0", Stage.PRODUCTION, "alice", null);
    };
    Step run = f -> f.runs.create("m", "r", "git:abc", Map.of("team", "a"));
    Step split = f -> {
      staged.run(f);
      f.registry.setTraffic("m", TrafficSplit.parseWeights("1.0.0=90,1.1.0=10"), "alice", null);
    };
    Step rollout = f -> {
      staged.run(f);
      f.registry.startRollout("m", RolloutPlan.of("1.1.0"), "alice", null);
    };
    return List.of(
        new Op("start a rollout", staged, f -> f.registry.startRollout("m",
            RolloutPlan.of("1.1.0"), "alice", "canary")),
        new Op("advance a rollout", rollout, f -> f.registry.advanceRollout("m", "passed",
            "controller")),
        new Op("abort a rollout", rollout, f -> f.registry.abortRollout("m",
            "error rate 0.5 > 0.01 over 200 requests", "controller")),
        new Op("register the first version", f -> { }, f -> f.register("1.0.0")),
        new Op("register a further version", one, f -> f.register("1.1.0")),
        new Op("register with a bump", one, f -> f.registry.register(new RegisterRequest("m",
            "1.0.1", tmp(f), "torchscript", SIG, null, null, null, null, null, null, "alice",
            "patch"))),
        new Op("promote to Staging", one,
            f -> f.registry.promote("m", "1.0.0", Stage.STAGING, "alice", "try it")),
        new Op("promote Staging to Production over a Production version", staged,
            f -> f.registry.promote("m", "1.1.0", Stage.PRODUCTION, "alice", "ship it")),
        new Op("deprecate the Production version", rolledOut,
            f -> f.registry.deprecate("m", "1.1.0", "alice", "bad")),
        new Op("archive", rolledOut, f -> f.registry.archive("m", "1.0.0", "alice", null)),
        new Op("restore", f -> {
          rolledOut.run(f);
          f.registry.archive("m", "1.0.0", "alice", null);
        }, f -> f.registry.restore("m", "1.0.0", "alice", null)),
        new Op("rollback", rolledOut, f -> f.registry.rollback("m", "alice", "bad numbers")),
        new Op("reload failure with rollback", rolledOut,
            f -> f.registry.recordReloadFailure("m", "1.1.0", "1.0.0", "NaN outputs", "server")),
        new Op("cleanup", f -> {
          rolledOut.run(f);
          f.registry.archive("m", "1.0.0", "alice", null);
        }, f -> f.registry.cleanup(null, false, "alice")),
        new Op("set a traffic split", staged, f -> f.registry.setTraffic("m",
            TrafficSplit.parseWeights("1.0.0=90,1.1.0=10"), "alice", "A/B test")),
        new Op("change a traffic split", split, f -> f.registry.setTraffic("m",
            TrafficSplit.parseWeights("1.0.0=80,1.1.0=20"), "alice", "ramp up")),
        new Op("clear a traffic split", split, f -> f.registry.clearTraffic("m", "alice",
            "done")),
        new Op("start a shadow", staged, f -> f.registry.startShadow("m", "1.1.0", 0.5, 1e-4,
            1e-3, "alice", "compare")),
        new Op("stop a shadow", f -> {
          staged.run(f);
          f.registry.startShadow("m", "1.1.0", 1, 0, 0, "alice", null);
        }, f -> f.registry.stopShadow("m", "alice", "done")),
        new Op("create a run", f -> { }, run),
        new Op("log a param", run, f -> f.runs.logParam("m", f.runId(), "lr", 0.1)),
        new Op("log a metric", run, f -> f.runs.logMetric("m", f.runId(), "rmse", 0.5, 1)),
        new Op("log an artifact", run, f -> f.runs.logArtifact("m", f.runId(), "model.pt",
            new ByteArrayInputStream(new byte[10_000]))),
        new Op("end a run", run, f -> f.runs.end("m", f.runId(), "FINISHED")));
  }

  private static Path tmp(Fx f) throws IOException {
    Path artifact = f.root.resolveSibling(f.root.getFileName() + "-bump.pt");
    Files.write(artifact, new byte[2048]);
    return artifact;
  }

  @TestFactory
  Stream<DynamicTest> everyMutationFailsAtEachWriteInTurnAndLeavesNoTrace() {
    return ops().stream().map(op -> DynamicTest.dynamicTest(op.name(), () -> check(op)));
  }

  private void check(Op op) throws Exception {
    int failures = 0;
    for (int n = 1; ; n++) {
      assertTrue(n < 200, op.name() + " never succeeded");
      Path root = tmp.resolve(op.name().replace(' ', '_') + "-" + n).resolve("store");
      Map<String, String> before;
      boolean failed;
      try (Fx f = new Fx(root)) {
        op.setup().run(f);
        f.delivered.clear();
        before = snapshot(root);
        long seq = f.events.lastSeq();
        f.disk.armAt(n);
        try {
          op.op().run(f);
          failed = false;
        } catch (RuntimeException e) {
          failed = true;
          failures++;
          assertTrue(f.disk.filledUp(), op.name() + " at write " + n + ": " + e);
          String msg = e.getMessage();
          assertTrue(msg.contains("no space left on device"), msg);
          assertFalse(msg.contains("java.") || msg.contains("Exception"), msg);
          assertFalse(msg.contains(tmp.toString()), msg);
          Map<String, String> after = snapshot(root);
          assertEquals(before, after, op.name() + " failing at write " + n + " left a trace: "
              + difference(before, after) + " (" + msg + ")");
          assertEquals(List.of(), f.delivered, op.name() + " at write " + n);
          assertEquals(seq, f.events.lastSeq());
        }
        if (!failed && !f.disk.filledUp()) {
          assertTrue(failures > 0, op.name() + " made no write");
          return; // every write of the operation has failed in turn
        }
      }
      if (failed) { // reopens unchanged, and the operation works once there is space
        try (Fx again = new Fx(root)) {
          assertEquals(before, snapshot(root), op.name() + " at write " + n + ": reopened");
          op.op().run(again);
        }
      }
      StoreInvariants.check(root);
    }
  }

  private static List<String> difference(Map<String, String> a, Map<String, String> b) {
    List<String> out = new ArrayList<>();
    for (String k : new java.util.TreeSet<>(a.keySet())) {
      if (!b.containsKey(k)) {
        out.add("-" + k);
      } else if (!a.get(k).equals(b.get(k))) {
        out.add("~" + k);
      }
    }
    b.keySet().stream().filter(k -> !a.containsKey(k)).forEach(k -> out.add("+" + k));
    return out;
  }

  /** Every entry under {@code root} except the lock file: directories, links, file bytes. */
  static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        out.put(root.relativize(dir) + "/", "dir");
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        String rel = root.relativize(file).toString();
        if (attrs.isSymbolicLink()) {
          out.put(rel, "-> " + Files.readSymbolicLink(file));
        } else if (!rel.equals(".lock")) {
          out.put(rel, new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return out;
  }

}
