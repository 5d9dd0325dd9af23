package io.mlserve.registry.cli;

import static io.mlserve.registry.cli.Mlctl.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.registry.cli.Mlctl.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlctl --store DIR check}. */
class CheckCommandTest {
  @TempDir Path tmp;

  @Test
  void reportsLinksOutOfTheStoreAndCutsTornLines() throws Exception {
    Path store = Files.createDirectories(tmp.resolve("store"));
    Path artifact = Files.write(tmp.resolve("model.pt"), new byte[64]);
    Path sig = Files.writeString(tmp.resolve("model.json"), "{\"name\":\"m\",\"version\":\"0.0.1\","
        + "\"format\":\"torchscript\",\"artifact\":\"model.pt\",\"signature\":{\"inputs\":[{\"name\":"
        + "\"x\",\"datatype\":\"FP32\",\"shape\":[-1,2]}],\"outputs\":[{\"name\":\"y\",\"datatype\":"
        + "\"FP32\",\"shape\":[-1,2]}]}}");
    Result reg = run("--store", store.toString(), "register", "--model", "m", "--version",
        "1.0.0", "--artifact", artifact.toString(), "--signature", sig.toString());
    assertEquals(0, reg.code(), reg.err());
    Result clean = run("--store", store.toString(), "check");
    assertEquals(0, clean.code(), clean.err());
    assertTrue(clean.out().contains("no problems found"), clean.out());

    Path outside = Files.createDirectories(tmp.resolve("outside/9.0.0"));
    Files.createSymbolicLink(store.resolve("m/versions/9.0.0"), outside);
    Files.writeString(store.resolve("events.jsonl"), "{\"event_type\":\"ml.mo",
        java.nio.file.StandardOpenOption.APPEND);
    Result bad = run("--store", store.toString(), "check");
    assertEquals(1, bad.code(), bad.out() + bad.err());
    assertTrue(bad.out().contains("m/versions/9.0.0: is a symlink that resolves outside the"
        + " store"), bad.out());
    assertTrue(bad.out().contains("1 problem found"), bad.out());
    assertFalse(bad.out().contains(tmp.toString().substring(1) + "/outside"), bad.out());
    assertTrue(Files.readString(store.resolve("events.jsonl")).endsWith("\n"));

    Result json = run("--store", store.toString(), "--output", "json", "check");
    assertEquals(1, json.code());
    assertTrue(json.out().startsWith("{\"problems\":[\"m/versions/9.0.0: is a symlink"),
        json.out());
  }
}
