package io.mlserve.registry;

import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.SemVer;
import io.mlserve.store.Signature;
import io.mlserve.store.Stage;
import io.mlserve.store.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Random;

/**
 * A writer process for the crash and concurrency tests: registers versions {@code MAJOR.i.0}
 * of model {@code m} and moves them through stages, printing "op" after each mutation.
 * Args: store root, major, count (-1: until killed).
 */
public final class StoreWriterMain {
  private StoreWriterMain() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    int major = Integer.parseInt(args[1]);
    int count = Integer.parseInt(args[2]);
    ModelStore store = ModelStore.open(root);
    EventLog events = EventLog.open(root);
    ModelRegistry registry = new ModelRegistry(store, events, ArtifactValidator.none(),
        Clock.systemUTC());
    Signature sig = new Signature(List.of(new TensorSpec("x", "FP32", List.of(-1L, 2L))),
        List.of(new TensorSpec("y", "FP32", List.of(-1L, 2L))));
    Random rnd = new Random();
    Path artifact = Files.createTempFile("writer-", ".pt");
    byte[] bytes = new byte[256 * 1024];
    int start = 0;
    if (store.hasModel("m")) { // continue after the versions a killed writer left
      for (String v : store.versions("m")) {
        SemVer s = SemVer.parse(v);
        if (v.startsWith(major + ".")) {
          start = Math.max(start, Integer.parseInt(v.split("\\.")[1]) + 1);
        }
        assert s != null;
      }
    }
    for (int i = start; count < 0 || i < start + count; i++) {
      rnd.nextBytes(bytes);
      Files.write(artifact, bytes);
      String version = major + "." + i + ".0";
      registry.register(new RegisterRequest("m", version, artifact, "torchscript", sig, null,
          "run" + i, null, null, "v" + i, null, "writer" + major));
      op();
      registry.promote("m", version, i % 2 == 0 ? Stage.PRODUCTION : Stage.STAGING,
          "writer" + major, null);
      op();
      if (i % 3 == 2) {
        try {
          registry.rollback("m", "writer" + major, null);
          op();
        } catch (IllegalTransitionException nothingToRollBackTo) {
          // fine
        }
      }
    }
    events.close();
    Files.deleteIfExists(artifact);
  }

  private static void op() {
    System.out.println("op");
    System.out.flush();
  }
}
