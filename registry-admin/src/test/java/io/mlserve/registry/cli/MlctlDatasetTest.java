package io.mlserve.registry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlctl dataset add|list|show} on a store directly. */
class MlctlDatasetTest {
  @TempDir Path tmp;
  String store;

  @BeforeEach
  void setUp() throws Exception {
    store = tmp.resolve("store").toString();
    Path artifact = Files.write(tmp.resolve("model.pt"), new byte[64]);
    Files.writeString(tmp.resolve("model.json"), "{\"name\": \"m\", \"version\": \"1.0.0\","
        + " \"format\": \"torchscript\", \"artifact\": \"model.pt\", \"signature\": {\"inputs\":"
        + " [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-1, 2]}], \"outputs\":"
        + " [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 1]}]}}");
    Mlctl.Result r = Mlctl.run("--store", store, "register", "--model", "m", "--version",
        "1.0.0", "--artifact", artifact.toString(), "--signature",
        tmp.resolve("model.json").toString());
    assertEquals(0, r.code(), r.err());
  }

  @Test
  void addsListsAndShowsAsTablesAndJson() throws Exception {
    Path f = Files.writeString(tmp.resolve("test.csv"), "a,b,label\n1,2,3\n4,5,6\n");
    Mlctl.Result r = Mlctl.run("--store", store, "--actor", "dana", "dataset", "add", "--model",
        "m", "--name", "test", "--file", f.toString(), "--description", "held out");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("added dataset m/test: 2 rows, csv, sha256 "), r.out());
    assertTrue(r.out().contains("(checked against 1.0.0)"), r.out());

    r = Mlctl.run("--store", store, "dataset", "list", "--model", "m");
    assertEquals(0, r.code(), r.err());
    String[] lines = r.out().split("\n");
    assertTrue(lines[0].startsWith("NAME  FORMAT  ROWS  INPUTS"), r.out());
    assertTrue(lines[1].startsWith("test  csv     2     x FP32 [2]  1 integer"), r.out());

    r = Mlctl.run("--store", store, "--output", "json", "dataset", "show", "--model", "m",
        "--name", "test");
    assertEquals(0, r.code(), r.err());
    JsonNode d = new ObjectMapper().readTree(r.out());
    assertEquals("test", d.get("name").asText());
    assertEquals(2, d.get("rows").asInt());
    assertEquals("dana", d.get("actor").asText());
    assertEquals("held out", d.get("description").asText());
    assertEquals(2, d.get("inputs").get(0).get("shape").get(0).asInt());

    r = Mlctl.run("--store", store, "dataset", "show", "--model", "m", "--name", "test");
    assertTrue(r.out().contains("checked_against  1.0.0"), r.out());
  }

  @Test
  void refusalsAreOneLineNamingWhatIsWrong() throws Exception {
    Path f = Files.writeString(tmp.resolve("test.jsonl"),
        "{\"input\": [1, 2], \"label\": 3}\n{\"input\": [1, 2]}\n");
    Mlctl.Result r = Mlctl.run("--store", store, "dataset", "add", "--model", "m", "--name",
        "t", "--file", f.toString());
    assertEquals(1, r.code());
    assertEquals("mlctl: INVALID_ARGUMENT: line 2: missing \"label\"\n", r.err());
    Files.writeString(f, "{\"input\": [1, 2], \"label\": 3}\n");
    assertEquals(0, Mlctl.run("--store", store, "dataset", "add", "--model", "m", "--name",
        "t", "--file", f.toString()).code());
    r = Mlctl.run("--store", store, "dataset", "add", "--model", "m", "--name", "t", "--file",
        f.toString());
    assertEquals("mlctl: ALREADY_EXISTS: dataset 't' of model 'm' already exists; datasets are"
        + " immutable: add it under another name\n", r.err());
    r = Mlctl.run("--store", store, "dataset", "add", "--model", "m", "--name", "u", "--file",
        f.toString(), "--max-bytes", "10");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("larger than --max-bytes 10"), r.err());
    r = Mlctl.run("--store", store, "dataset", "add", "--model", "m", "--name", "u", "--file",
        tmp.resolve("x.txt").toString());
    assertEquals("mlctl: cannot tell the format of 'x.txt' from its name; name it .jsonl, .npz"
        + " or .csv, or give the format\n", r.err());
  }
}
