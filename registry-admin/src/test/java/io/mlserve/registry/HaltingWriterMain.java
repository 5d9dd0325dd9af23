package io.mlserve.registry;

import io.mlserve.store.EventLog;
import io.mlserve.store.FileOps;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Signature;
import io.mlserve.store.Stage;
import io.mlserve.store.TensorSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A writer process that dies like {@code kill -9} at a chosen file operation of one registry
 * change: at the n-th operation it halts the JVM (a write first writes half its bytes, leaving a
 * torn line). Args: store root, n, and {@code promote} (1.1.0 from Staging to Production),
 * {@code register} (version 1.2.0), {@code traffic} (split 1.0.0=90,1.1.0=10) or {@code rollout}
 * (start a rollout of 1.1.0, then abort it: two changes). Exits 0 if the change completed before
 * the n-th operation.
 */
public final class HaltingWriterMain {
  private HaltingWriterMain() {}

  /** Halts at the n-th operation. */
  private static final class Halting implements FileOps {
    private final AtomicInteger ops = new AtomicInteger();
    private final int haltAt;

    Halting(int haltAt) {
      this.haltAt = haltAt;
    }

    private boolean now() {
      return ops.incrementAndGet() == haltAt;
    }

    private static void die() {
      Runtime.getRuntime().halt(137);
    }

    @Override
    public void write(FileChannel ch, ByteBuffer buf, long position) throws IOException {
      if (now()) {
        ByteBuffer head = buf.duplicate();
        head.limit(head.position() + buf.remaining() / 2);
        ch.write(head, position);
        die();
      }
      FileOps.super.write(ch, buf, position);
    }

    @Override
    public void copy(InputStream in, OutputStream out) throws IOException {
      if (now()) {
        out.write(in.readNBytes(100));
        die();
      }
      FileOps.super.copy(in, out);
    }

    @Override
    public void force(FileChannel ch) throws IOException {
      if (now()) {
        die();
      }
      FileOps.super.force(ch);
    }

    @Override
    public void move(Path from, Path to) throws IOException {
      if (now()) {
        die();
      }
      FileOps.super.move(from, to);
    }

    @Override
    public void createSymbolicLink(Path link, Path target) throws IOException {
      if (now()) {
        die();
      }
      FileOps.super.createSymbolicLink(link, target);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
      if (now()) {
        die();
      }
      FileOps.super.createDirectories(dir);
    }
  }

  static final Signature SIG = new Signature(
      List.of(new TensorSpec("x", "FP32", List.of(-1L, 2L))),
      List.of(new TensorSpec("y", "FP32", List.of(-1L, 2L))));

  /** Ten rows for {@link #SIG}. */
  static final String DATASET = "{\"input\": [1, 2], \"label\": [3, 4]}\n".repeat(10);
  /** A manual policy with one gate. */
  static final io.mlserve.approval.Policy POLICY = io.mlserve.approval.PolicyJson.parse(
      "{\"mode\": \"manual\", \"datasets\": [\"holdout\"],"
          + " \"gates\": [{\"metric\": \"rmse\", \"max_ratio\": 1.0}]}");

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    Halting ops = new Halting(Integer.parseInt(args[1]));
    ModelStore store = ModelStore.open(root, ops);
    EventLog events = EventLog.open(root, ops);
    ModelRegistry registry = new ModelRegistry(store, events, ArtifactValidator.none(),
        Clock.systemUTC());
    if (args[2].equals("promote")) {
      registry.promote("m", "1.1.0", Stage.PRODUCTION, "writer", "ship");
    } else if (args[2].equals("traffic")) {
      registry.setTraffic("m", io.mlserve.store.TrafficSplit.parseWeights("1.0.0=90,1.1.0=10"),
          "writer", "A/B test");
    } else if (args[2].equals("dataset")) {
      new io.mlserve.dataset.DatasetStore(registry, Clock.systemUTC(),
          io.mlserve.dataset.DatasetLimits.defaults()).add("m", "d",
          io.mlserve.dataset.DatasetFormat.JSONL, new java.io.ByteArrayInputStream(
              DATASET.getBytes(java.nio.charset.StandardCharsets.UTF_8)), "crash test", "writer");
    } else if (args[2].equals("policy")) {
      registry.approvals().setPolicy("m", POLICY, "writer", "gate it");
    } else if (args[2].equals("approve")) {
      registry.approvals().approve("m", "1.1.0", "writer", "looks fine", true, "crash test");
    } else if (args[2].equals("shadow")) {
      registry.startShadow("m", "1.1.0", 0.5, 1e-4, 1e-3, "writer", "compare");
    } else if (args[2].equals("rollout")) {
      registry.startRollout("m", RolloutPlan.of("1.1.0"), "writer", "canary");
      registry.abortRollout("m", "error rate 0.5 > 0.01 over 200 requests", "writer");
    } else {
      Path artifact = Files.createTempFile("halting-", ".pt");
      Files.write(artifact, new byte[8192]);
      registry.register(new RegisterRequest("m", "1.2.0", artifact, "torchscript", SIG, null,
          null, null, null, "card", null, "writer"));
      Files.delete(artifact);
    }
    events.close();
  }
}
