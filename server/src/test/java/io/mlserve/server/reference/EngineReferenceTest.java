package io.mlserve.server.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.drift.FeatureProfile;
import io.mlserve.drift.OutputPredictor;
import io.mlserve.drift.ReferenceJson;
import io.mlserve.drift.ReferenceProfile;
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
 * {@code mlctl --store register --reference} with the server on the classpath (as
 * {@code bin/mlctl} runs it): the reference's outputs are the real engine's answers on the
 * reference rows (checked against the demo's golden outputs), written into the version before it
 * is visible; a reference whose rows do not fit the version refuses the registration and leaves
 * the store as it was.
 */
class EngineReferenceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private Path store;
  private Path demo;

  @BeforeEach
  void setUp() throws Exception {
    store = tmp.resolve("store");
    demo = DemoModel.dir();
    ok("register", "--model", "curve_forecaster", "--version", "1.0.0", "--artifact",
        demo.resolve("model.pt").toString());
  }

  private StoreMlctl.Result mlctl(String... args) {
    return StoreMlctl.run(store, args);
  }


  private StoreMlctl.Result ok(String... args) {
    StoreMlctl.Result r = mlctl(args);
    assertEquals(0, r.code(), r.err());
    return r;
  }

  private List<String> storeFiles() throws IOException {
    try (Stream<Path> s = Files.walk(store)) {
      return s.filter(p -> !p.getFileName().toString().equals("events.jsonl"))
          .map(p -> store.relativize(p).toString()).sorted().toList();
    }
  }

  /** The demo's golden inputs as a JSONL dataset file (labels unused by a profile: zeros). */
  private Path goldenRows() throws IOException {
    JsonNode examples = JSON.readTree(demo.resolve("examples.json").toFile());
    StringBuilder sb = new StringBuilder();
    for (JsonNode in : examples.get("inputs")) {
      sb.append("{\"input\": ").append(in).append(", \"label\": 0}\n");
    }
    return Files.writeString(tmp.resolve("golden.jsonl"), sb);
  }

  private String newRun() {
    return ok("run", "create", "--model", "curve_forecaster", "--source", "test").out().trim();
  }

  @Test
  void theServerProvidesTheEngineThroughServiceLoader() {
    assertInstanceOf(EngineOutputPredictor.class, OutputPredictor.fromClasspath().orElseThrow());
  }

  @Test
  void registeringWithAReferenceProfilesTheEnginesOutputsOnItsRows() throws Exception {
    String run = newRun();
    ok("run", "log-artifact", "--model", "curve_forecaster", "--run", run, "--file",
        goldenRows().toString());
    StoreMlctl.Result r = ok("register", "--model", "curve_forecaster", "--version", "1.1.0",
        "--artifact", demo.resolve("model.pt").toString(), "--reference",
        "run:" + run + "/golden.jsonl");
    assertTrue(r.out().contains("\nreference: 16 rows from run:" + run + "/golden.jsonl; 24"
        + " input features, 24 output features"), r.out());

    ReferenceProfile p = ReferenceJson.read(store.resolve("curve_forecaster/versions/1.1.0"))
        .orElseThrow();
    assertEquals(16, p.rows());
    assertEquals("curve[0]", p.inputs().get(0).name());
    assertEquals("forecast[23]", p.outputs().get(23).name());
    // every output feature's statistics are those of the model's golden outputs
    JsonNode golden = JSON.readTree(demo.resolve("examples.json").toFile()).get("outputs");
    for (int k = 0; k < 24; k++) {
      double sum = 0;
      double min = Double.MAX_VALUE;
      double max = -Double.MAX_VALUE;
      for (JsonNode row : golden) {
        double v = row.get(k).asDouble();
        sum += v;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      FeatureProfile f = p.outputs().get(k);
      assertEquals(16, f.count());
      assertEquals(sum / 16, f.mean(), 1e-3, f.name());
      assertEquals(min, f.min(), 1e-3, f.name());
      assertEquals(max, f.max(), 1e-3, f.name());
    }
  }

  @Test
  void aStoredDatasetGivesOutputsCloseToItsLabels() throws Exception {
    ok("dataset", "add", "--model", "curve_forecaster", "--name", "holdout", "--file",
        demo.resolve("holdout.jsonl").toString());
    ok("register", "--model", "curve_forecaster", "--version", "1.1.0", "--artifact",
        demo.resolve("model.pt").toString(), "--reference", "holdout");
    StoreMlctl.Result r =
        ok("reference", "show", "--model", "curve_forecaster", "--version", "1.1.0");
    assertTrue(r.out().startsWith("curve_forecaster:1.1.0 reference: 1200 rows from"
        + " dataset:holdout@"), r.out());
    assertTrue(r.out().contains("\nforecast[0]   output  1200"), r.out());
    ReferenceProfile p = ReferenceJson.read(store.resolve("curve_forecaster/versions/1.1.0"))
        .orElseThrow();
    // the holdout's label means per tenor, from the file; a forecaster with a validation MAE of
    // 0.8 is well within 1.0 of them on average over 1200 rows
    double[] labelMean = new double[24];
    List<String> lines = Files.readAllLines(demo.resolve("holdout.jsonl"));
    for (String line : lines) {
      JsonNode label = JSON.readTree(line).get("label");
      for (int k = 0; k < 24; k++) {
        labelMean[k] += label.get(k).asDouble() / lines.size();
      }
    }
    for (int k = 0; k < 24; k++) {
      assertEquals(labelMean[k], p.outputs().get(k).mean(), 1.0, "forecast[" + k + "]");
    }
  }

  @Test
  void rowsThatDoNotFitRefuseTheRegistrationAndLeaveTheStoreAsItWas() throws Exception {
    String run = newRun();
    Path bad = Files.writeString(tmp.resolve("short.jsonl"),
        "{\"input\": [1, 2, 3], \"label\": 0}\n");
    ok("run", "log-artifact", "--model", "curve_forecaster", "--run", run, "--file",
        bad.toString());
    List<String> before = storeFiles();
    StoreMlctl.Result r = mlctl("register", "--model", "curve_forecaster", "--version", "1.1.0",
        "--artifact", demo.resolve("model.pt").toString(), "--reference",
        "run:" + run + "/short.jsonl");
    assertEquals(1, r.code());
    assertEquals("mlctl: INVALID_ARGUMENT: reference run:" + run + "/short.jsonl: line 1: wrong"
        + " length 3 for input 'curve' of shape [24] (curve_forecaster:1.1.0 was not"
        + " registered)\n", r.err());
    assertEquals(before, storeFiles());

    r = mlctl("register", "--model", "curve_forecaster", "--version", "1.1.0", "--artifact",
        demo.resolve("model.pt").toString(), "--reference", "train_sample");
    assertEquals("mlctl: NOT_FOUND: model 'curve_forecaster' has no dataset 'train_sample'\n",
        r.err());
    assertEquals(before, storeFiles());
  }
}
