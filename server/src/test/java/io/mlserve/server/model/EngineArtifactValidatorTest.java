package io.mlserve.server.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.grpc.AdminServices;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.StoreMlctl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlctl --store} with the server on its classpath (as {@code bin/mlctl} runs it) finds
 * the engine validator through {@link java.util.ServiceLoader} and validates registrations as
 * the server does: a truncated TorchScript file is refused and leaves nothing in the store.
 */
class EngineArtifactValidatorTest {
  @TempDir Path tmp;
  private Path store;
  private Path truncated;
  private Path whole;

  @BeforeEach
  void setUp() throws IOException {
    store = tmp.resolve("store");
    whole = copyDemo(tmp.resolve("whole"), Files.readAllBytes(DemoModel.dir().resolve("model.pt")));
    byte[] head = new byte[100];
    System.arraycopy(Files.readAllBytes(DemoModel.dir().resolve("model.pt")), 0, head, 0, 100);
    truncated = copyDemo(tmp.resolve("truncated"), head);
  }

  /** model.pt with {@code artifact}, beside the demo's model.json and examples.json. */
  private static Path copyDemo(Path dir, byte[] artifact) throws IOException {
    Files.createDirectories(dir);
    for (String f : List.of("model.json", "examples.json")) {
      Files.copy(DemoModel.dir().resolve(f), dir.resolve(f));
    }
    return Files.write(dir.resolve("model.pt"), artifact);
  }

  private StoreMlctl.Result mlctl(String... args) {
    return StoreMlctl.run(store, args);
  }


  private List<String> storeFiles() throws IOException {
    try (Stream<Path> s = Files.walk(store)) {
      return s.map(p -> store.relativize(p) + (Files.isDirectory(p) ? "/" : ":" + size(p)))
          .sorted().toList();
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theServerProvidesTheValidatorThroughServiceLoader() {
    ArtifactValidator v = ArtifactValidator.fromClasspath();
    assertInstanceOf(EngineArtifactValidator.class, v);
    assertEquals(AdminServices.ENGINE_VALIDATION, v.description());
  }

  @Test
  void mlctlOnAStoreRefusesATruncatedModelAndLeavesNothing() throws Exception {
    assertEquals(0, mlctl("list").code());
    List<String> before = storeFiles();

    StoreMlctl.Result r = mlctl("register", "--model", "curve_forecaster", "--version", "1.0.0",
        "--artifact", truncated.toString());
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.err().startsWith("mlctl: INVALID_ARGUMENT: validation of curve_forecaster:1.0.0"
        + " failed"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("load failed"), r.err());
    assertTrue(!r.err().contains(tmp.toString()), "no paths in the message: " + r.err());
    assertEquals(before, storeFiles(), "a refused registration leaves no trace");

    r = mlctl("register", "--model", "curve_forecaster", "--version", "1.0.0",
        "--artifact", whole.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("validation: " + AdminServices.ENGINE_VALIDATION), r.out());
    assertTrue(Files.isRegularFile(store.resolve("curve_forecaster/versions/1.0.0/model.pt")));
  }
}
