package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.registry.grpc.AdminServices;
import io.mlserve.server.testing.DemoModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/mlctl} as a user runs it (a separate process, the packaged server's classpath):
 * a {@code --store} registration is validated by the server's engine, so a truncated
 * TorchScript file is refused and the whole one is registered with engine validation.
 */
class MlctlLauncherIT {
  @TempDir Path tmp;

  private Mlctl.Result mlctl(String... args) throws Exception {
    return Mlctl.run(tmp, args);
  }

  private Path demoWith(String name, byte[] artifact) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    for (String f : List.of("model.json", "examples.json")) {
      Files.copy(DemoModel.dir().resolve(f), dir.resolve(f));
    }
    return Files.write(dir.resolve("model.pt"), artifact);
  }

  @Test
  void binMlctlValidatesStoreRegistrationsWithTheEngine() throws Exception {
    byte[] model = Files.readAllBytes(DemoModel.dir().resolve("model.pt"));
    byte[] head = new byte[100];
    System.arraycopy(model, 0, head, 0, head.length);
    String store = tmp.resolve("store").toString();

    Mlctl.Result r = mlctl("--store", store, "register", "--model", "curve_forecaster",
        "--version", "1.0.0", "--artifact", demoWith("truncated", head).toString());
    assertEquals(1, r.code(), r.all());
    assertTrue(r.all().contains("validation of curve_forecaster:1.0.0 failed")
        && r.all().contains("load failed"), r.all());
    assertTrue(Files.notExists(tmp.resolve("store/curve_forecaster/versions/1.0.0")));

    r = mlctl("--store", store, "register", "--model", "curve_forecaster", "--version",
        "1.0.0", "--artifact", demoWith("whole", model).toString());
    assertEquals(0, r.code(), r.all());
    assertTrue(r.all().contains("validation: " + AdminServices.ENGINE_VALIDATION), r.all());
  }
}
