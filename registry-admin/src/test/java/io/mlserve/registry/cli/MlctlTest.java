package io.mlserve.registry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.grpc.AdminServices;
import io.mlserve.store.EventLog;
import io.mlserve.store.ManifestCodec;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mlctl end to end: on a temp store directly, and against a server on a loopback port. */
class MlctlTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MANIFEST = """
      {"name":"m","version":"0.0.0","format":"torchscript","artifact":"model.pt",
       "signature":{"inputs":[{"name":"x","datatype":"FP32","shape":[-1,2]}],
                    "outputs":[{"name":"y","datatype":"FP32","shape":[-1,2]}]}}
      """;

  @TempDir Path tmp;
  private Path store;
  private Path artifact;


  @BeforeEach
  void setUp() throws Exception {
    store = tmp.resolve("store");
    Path src = Files.createDirectories(tmp.resolve("src"));
    artifact = Files.write(src.resolve("model.pt"), new byte[] {1, 2, 3});
    Files.writeString(src.resolve("model.json"), MANIFEST);
    Files.writeString(src.resolve("card.md"), "# m\n");
  }


  private Mlctl.Result onStore(String... args) {
    String[] all = new String[args.length + 4];
    all[0] = "--store";
    all[1] = store.toString();
    all[2] = "--actor";
    all[3] = "tester";
    System.arraycopy(args, 0, all, 4, args.length);
    return Mlctl.run(all);
  }

  @Test
  void worksOnAStoreDirectly() throws Exception {
    Mlctl.Result r = onStore("register", "--model", "m", "--version", "1.0.0", "--artifact",
        artifact.toString(), "--description-file", tmp.resolve("src/card.md").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("validation: basic checks only") && r.out().contains(
        "no inference engine on this classpath, so the model was NOT loaded"), r.out());
    r = onStore("--output", "json", "register", "--model", "m", "--bump", "patch",
        "--artifact", artifact.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("1.0.1", JSON.readTree(r.out()).get("version").asText());

    assertEquals(0, onStore("promote", "--model", "m", "--version", "1.0.0", "--stage",
        "Production").code());
    assertEquals(0, onStore("promote", "--model", "m", "--version", "1.0.1", "--stage",
        "production").code());
    r = onStore("rollback", "--model", "m");
    assertEquals(0, r.code(), r.err());
    assertEquals("m:1.0.0 Deprecated -> Production (previous: 1.0.1)", r.out().trim());

    r = onStore("rollback", "--model", "m");
    assertEquals(1, r.code());
    assertEquals(1, r.err().trim().lines().count(), r.err());
    assertTrue(r.err().startsWith("mlctl: FAILED_PRECONDITION: "), r.err());

    r = onStore("--output", "json", "list");
    JsonNode models = JSON.readTree(r.out()).get("models");
    assertEquals("1.0.0", models.get(0).get("production").asText());
    r = onStore("show", "--model", "m");
    assertTrue(r.out().contains("1.0.1    Deprecated"), r.out());
    r = onStore("history", "--model", "m");
    assertTrue(r.out().contains("tester"), r.out());
    r = onStore("--output", "json", "events", "--since", "3");
    List<String> lines = r.out().lines().toList();
    assertEquals(2, lines.size(), r.out());
    assertTrue(lines.get(1).startsWith("{\"event_type\":\"ml.model.rolled_back.v1\""));

    r = onStore("archive", "--model", "m", "--version", "1.0.1");
    assertEquals(0, r.code(), r.err());
    r = onStore("cleanup", "--dry-run");
    assertTrue(r.out().contains("m:1.0.1"), r.out());
    assertTrue(Files.isDirectory(store.resolve("m/versions/1.0.1")));
    assertEquals(0, onStore("cleanup").code());
    assertTrue(Files.notExists(store.resolve("m/versions/1.0.1")));

    r = onStore("register", "--model", "../evil", "--version", "1.0.0", "--artifact",
        artifact.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("invalid model name"), r.err());
  }

  @Test
  void registerDetectsAnOnnxArtifact() throws Exception {
    // a real graph: the upload carries bytes only, the registry tells ONNX by its content
    Path onnx = Files.copy(Path.of("src/test/resources/onnx/dense_dynamic.onnx"),
        tmp.resolve("src/model.onnx"));
    Mlctl.Result r = onStore("register", "--model", "m", "--version", "1.0.0", "--artifact",
        onnx.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("onnx", ManifestCodec.read(store.resolve("m/versions/1.0.0/model.json"))
        .format());
    assertTrue(Files.isRegularFile(store.resolve("m/versions/1.0.0/model.onnx")));
    r = onStore("register", "--model", "m", "--version", "1.0.1", "--artifact",
        artifact.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("torchscript", ManifestCodec.read(store.resolve(
        "m/versions/1.0.1/model.json")).format());
  }

  @Test
  void runsCommandsTrackExperiments() throws Exception {
    Mlctl.Result r = onStore("run", "create", "--model", "m", "--name", "a", "--source", "git:1");
    assertEquals(0, r.code(), r.err());
    String a = r.out().trim();
    String b = onStore("run", "create", "--model", "m").out().trim();
    for (String[] kv : new String[][] {{a, "0.1"}, {b, "0.2"}}) {
      assertEquals(0, onStore("run", "log-param", "--model", "m", "--run", kv[0], "--key", "lr",
          "--value", kv[1]).code());
      assertEquals(0, onStore("run", "log-metric", "--model", "m", "--run", kv[0], "--key",
          "rmse", "--value", kv[1], "--step", "1").code());
    }
    assertEquals(0, onStore("run", "log-artifact", "--model", "m", "--run", a, "--file",
        artifact.toString()).code());
    assertEquals(0, onStore("run", "end", "--model", "m", "--run", a).code());
    r = onStore("runs", "compare", "--model", "m", a, b);
    assertTrue(r.out().lines().anyMatch(l -> l.matches("param lr\\s+0\\.1\\s+0\\.2")), r.out());
    r = onStore("runs", "list", "--model", "m");
    assertEquals(3, r.out().lines().count(), r.out());
    r = onStore("runs", "show", "--model", "m", "--run", a);
    assertTrue(r.out().contains("FINISHED") && r.out().contains("artifacts/model.pt"), r.out());

    r = onStore("register", "--model", "m", "--version", "1.0.0", "--run", a, "--signature",
        tmp.resolve("src/model.json").toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(a, ModelStore.open(store).manifest("m", "1.0.0").runId());
  }

  @Test
  void worksAgainstARunningServerWithAToken() throws Exception {
    ModelStore s = ModelStore.open(store);
    try (EventLog events = EventLog.open(store)) {
      ModelRegistry registry = new ModelRegistry(s, events, ArtifactValidator.none(),
          Clock.systemUTC());
      Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
          .addService(AdminServices.create(registry, s, events, "tok", Clock.systemUTC())
              .service())
          .build().start();
      try {
        String target = "127.0.0.1:" + server.getPort();
        Mlctl.Result r = Mlctl.run("--server", target, "register", "--model", "m", "--version",
            "1.0.0", "--artifact", artifact.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("mlctl: UNAUTHENTICATED"), r.err());
        r = Mlctl.run("--server", target, "--token", "tok", "--actor", "ops", "register", "--model",
            "m", "--version", "1.0.0", "--artifact", artifact.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(AdminServices.ENGINE_VALIDATION), r.out());
        r = Mlctl.run("--server", target, "--token", "tok", "promote", "--model", "m", "--version",
            "1.0.0", "--stage", "Staging");
        assertEquals(0, r.code(), r.err());
        assertEquals("1.0.0", s.stageVersion("m", Stage.STAGING).orElseThrow());
        r = Mlctl.run("--server", target, "list");
        assertTrue(r.out().contains("m      -           1.0.0"), r.out());
        r = Mlctl.run("--server", target, "--output", "json", "events");
        assertEquals(2, r.out().lines().count(), r.out());
      } finally {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
