package io.mlserve.registry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.drift.FeatureProfile;
import io.mlserve.drift.ReferenceJson;
import io.mlserve.drift.ReferenceProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlctl register --reference} and {@code mlctl reference set|show} on a real store,
 * without an inference engine on this module's classpath: the inputs are profiled, the outputs
 * are not, and the output says so.
 */
class MlctlReferenceTest {
  @TempDir Path tmp;
  String store;
  Path artifact;

  @BeforeEach
  void setUp() throws Exception {
    store = tmp.resolve("store").toString();
    artifact = Files.write(tmp.resolve("model.pt"), new byte[64]);
    Files.writeString(tmp.resolve("model.json"), signature(2));
    ok("register", "--model", "m", "--version", "1.0.0", "--artifact", artifact.toString(),
        "--signature", tmp.resolve("model.json").toString());
    // x[0] takes 1..10, x[1] is 5 on every row
    StringBuilder rows = new StringBuilder();
    for (int i = 1; i <= 10; i++) {
      rows.append("{\"input\": [").append(i).append(", 5], \"label\": 0}\n");
    }
    Path f = Files.writeString(tmp.resolve("train.jsonl"), rows);
    ok("dataset", "add", "--model", "m", "--name", "train", "--file", f.toString());
  }

  private static String signature(int width) {
    return "{\"name\": \"m\", \"version\": \"1.0.0\", \"format\": \"torchscript\", \"artifact\":"
        + " \"model.pt\", \"signature\": {\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\","
        + " \"shape\": [-1, " + width + "]}], \"outputs\": [{\"name\": \"y\", \"datatype\":"
        + " \"FP32\", \"shape\": [-1, 1]}]}}";
  }

  private Mlctl.Result run(String... args) throws Exception {
    String[] all = Stream.concat(Stream.of("--store", store), Stream.of(args))
        .toArray(String[]::new);
    return Mlctl.run(all);
  }

  private Mlctl.Result ok(String... args) throws Exception {
    Mlctl.Result r = run(args);
    assertEquals(0, r.code(), r.err());
    return r;
  }

  private Path versions() {
    return Path.of(store, "m", "versions");
  }

  private List<String> versionEntries() throws Exception {
    try (Stream<Path> s = Files.list(versions())) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void registerWithAReferenceWritesTheInputsProfileIntoTheVersion() throws Exception {
    Mlctl.Result r = ok("register", "--model", "m", "--version", "1.1.0", "--artifact",
        artifact.toString(), "--reference", "train");
    assertTrue(r.out().contains("\nreference: 10 rows from dataset:train@"), r.out());
    assertTrue(r.out().contains("; 2 input features, outputs not profiled (no inference engine"
        + " where it was computed; the server takes the outputs' reference from the first live"
        + " rows)"), r.out());

    ReferenceProfile p = ReferenceJson.read(versions().resolve("1.1.0")).orElseThrow();
    assertEquals("m", p.model());
    assertEquals("1.1.0", p.version());
    assertTrue(p.source().matches("dataset:train@[0-9a-f]{64}"), p.source());
    assertEquals(10, p.rows());
    assertEquals(List.of("x[0]", "x[1]"), p.inputs().stream().map(FeatureProfile::name)
        .toList());
    assertEquals(List.of(), p.outputs());
    FeatureProfile x0 = p.inputs().get(0);
    assertEquals(5.5, x0.mean(), 1e-12);
    assertEquals(1, x0.min(), 0);
    assertEquals(10, x0.max(), 0);
    assertEquals(9, x0.edges().length);
    FeatureProfile x1 = p.inputs().get(1);
    assertEquals(0, x1.std(), 0);
    assertEquals(2, x1.fractions().length); // a constant: one edge, two bins

    r = ok("reference", "show", "--model", "m", "--version", "1.1.0");
    String[] lines = r.out().split("\n");
    assertTrue(lines[0].startsWith("m:1.1.0 reference: 10 rows from dataset:train@"), r.out());
    assertEquals("FEATURE  SIDE   COUNT  MISSING  MEAN  STD    MIN  MAX  BINS", lines[1]);
    assertEquals("x[0]     input  10     0        5.5   2.872  1    10   10", lines[2]);
    assertEquals("x[1]     input  10     0        5     0      5    5    2", lines[3]);

    r = ok("--output", "json", "reference", "show", "--model", "m", "--version", "1.1.0");
    ReferenceProfile fromJson = ReferenceJson.parse(r.out().getBytes());
    assertEquals(p.source(), fromJson.source());
  }

  @Test
  void anUnknownDatasetRefusesTheRegistrationAndLeavesNothing() throws Exception {
    List<String> before = versionEntries();
    Mlctl.Result r = run("register", "--model", "m", "--version", "1.1.0", "--artifact",
        artifact.toString(), "--reference", "nope");
    assertEquals(1, r.code());
    assertEquals("mlctl: NOT_FOUND: model 'm' has no dataset 'nope'\n", r.err());
    assertEquals(before, versionEntries());
  }

  @Test
  void aDatasetThatDoesNotFitTheSignatureRefusesTheRegistrationAndLeavesNothing()
      throws Exception {
    Files.writeString(tmp.resolve("model3.json"), signature(3));
    List<String> before = versionEntries();
    Mlctl.Result r = run("register", "--model", "m", "--version", "1.1.0", "--artifact",
        artifact.toString(), "--signature", tmp.resolve("model3.json").toString(),
        "--reference", "train");
    assertEquals(1, r.code());
    assertEquals("mlctl: INVALID_ARGUMENT: dataset 'train' does not fit m:1.1.0: its rows hold"
        + " 'x' FP32 [2], the version takes 'x' FP32 [3]\n", r.err());
    assertEquals(before, versionEntries());
    assertFalse(Files.exists(versions().resolve("1.1.0")));
  }

  @Test
  void aRunFileWhoseRowsDoNotFitRefusesTheRegistrationAfterReadingAndLeavesNothing()
      throws Exception {
    String runId = ok("run", "create", "--model", "m", "--source", "test").out().trim();
    Path bad = Files.writeString(tmp.resolve("ref.jsonl"),
        "{\"input\": [1, 2], \"label\": 0}\n{\"input\": [1, 2, 3], \"label\": 0}\n");
    ok("run", "log-artifact", "--model", "m", "--run", runId, "--file", bad.toString());
    List<String> before = versionEntries();
    Mlctl.Result r = run("register", "--model", "m", "--version", "1.1.0", "--artifact",
        artifact.toString(), "--reference", "run:" + runId + "/ref.jsonl");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("mlctl: INVALID_ARGUMENT: reference run:" + runId
        + "/ref.jsonl: line 2: "), r.err());
    assertTrue(r.err().endsWith("(m:1.1.0 was not registered)\n"), r.err());
    assertEquals(before, versionEntries());

    Files.writeString(bad, "{\"input\": [1, 2], \"label\": 0}\n{\"input\": [3, 4], \"label\":"
        + " 0}\n");
    ok("run", "log-artifact", "--model", "m", "--run", runId, "--file", bad.toString());
    r = ok("register", "--model", "m", "--version", "1.1.0", "--artifact", artifact.toString(),
        "--reference", "run:" + runId + "/ref.jsonl");
    assertTrue(r.out().contains("reference: 2 rows from run:" + runId + "/ref.jsonl;"), r.out());
  }

  @Test
  void setComputesForAnExistingVersionAndReplacesOnlyWhenAsked() throws Exception {
    Mlctl.Result r = ok("reference", "set", "--model", "m", "--version", "1.0.0", "--dataset",
        "train");
    assertTrue(r.out().startsWith("reference of m:1.0.0 set: 10 rows from dataset:train@"),
        r.out());
    assertTrue(ReferenceJson.read(versions().resolve("1.0.0")).isPresent());

    r = run("reference", "set", "--model", "m", "--version", "1.0.0", "--dataset", "train");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("mlctl: INVALID_ARGUMENT: m:1.0.0 already has a reference"
        + " profile (from dataset:train@"), r.err());
    assertTrue(r.err().endsWith("replace it explicitly (--replace)\n"), r.err());
    ok("reference", "set", "--model", "m", "--version", "1.0.0", "--dataset", "train",
        "--replace");

    r = run("reference", "show", "--model", "m", "--version", "9.9.9");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("mlctl: NOT_FOUND: "), r.err());
  }

  @Test
  void showOfAVersionWithoutAProfileSaysHowToMakeOne() throws Exception {
    Mlctl.Result r = run("reference", "show", "--model", "m", "--version", "1.0.0");
    assertEquals(1, r.code());
    assertEquals("mlctl: NOT_FOUND: m:1.0.0 has no reference profile; compute one with mlctl"
        + " reference set\n", r.err());
  }
}
