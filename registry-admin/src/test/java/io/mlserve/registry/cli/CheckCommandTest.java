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

  @Test
  void reportsDeploymentRecordsThatCannotBeServed() throws Exception {
    Path store = Files.createDirectories(tmp.resolve("store"));
    Path artifact = Files.write(tmp.resolve("model.pt"), new byte[64]);
    Path sig = Files.writeString(tmp.resolve("model.json"), "{\"name\":\"m\",\"version\":\"0.0.1\","
        + "\"format\":\"torchscript\",\"artifact\":\"model.pt\",\"signature\":{\"inputs\":[{\"name\":"
        + "\"x\",\"datatype\":\"FP32\",\"shape\":[-1,2]}],\"outputs\":[{\"name\":\"y\",\"datatype\":"
        + "\"FP32\",\"shape\":[-1,2]}]}}");
    for (String v : new String[] {"1.0.0", "1.1.0"}) {
      assertEquals(0, run("--store", store.toString(), "register", "--model", "m", "--version",
          v, "--artifact", artifact.toString(), "--signature", sig.toString()).code());
    }
    assertEquals(0, run("--store", store.toString(), "traffic", "set", "--model", "m",
        "--split", "1.0.0=90,1.1.0=10").code());
    Result clean = run("--store", store.toString(), "check");
    assertEquals(0, clean.code(), clean.out());

    Path record = store.resolve("m/deployment.json");
    String good = Files.readString(record);
    Files.writeString(record, good.replace("1.1.0", "9.9.9"));
    Result missing = run("--store", store.toString(), "check");
    assertEquals(1, missing.code());
    assertTrue(missing.out().contains("m/deployment.json: the split names 9.9.9, which is not a"
        + " registered version"), missing.out());

    Files.writeString(record, good.replace("10000", "9999"));
    Result torn = run("--store", store.toString(), "check");
    assertEquals(1, torn.code());
    assertTrue(torn.out().contains("m/deployment.json: split: version 1.1.0 owns 999 buckets,"
        + " but its weight 10 gives 1000"), torn.out());

    Files.writeString(record, "{\"model\":");
    assertTrue(run("--store", store.toString(), "check").out().contains(
        "m/deployment.json is not valid JSON"));

    // 1.1.0 archived while the split (written by hand here) still gives it traffic
    Files.writeString(record, good);
    assertEquals(0, run("--store", store.toString(), "traffic", "clear", "--model", "m").code());
    assertEquals(0, run("--store", store.toString(), "archive", "--model", "m", "--version",
        "1.1.0").code());
    Files.writeString(record, good);
    Result archived = run("--store", store.toString(), "check");
    assertEquals(1, archived.code());
    assertTrue(archived.out().contains("m/deployment.json: 1.1.0 is Archived but takes 10% of"
        + " the traffic"), archived.out());
  }
}
