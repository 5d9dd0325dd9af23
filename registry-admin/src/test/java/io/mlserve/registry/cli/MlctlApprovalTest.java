package io.mlserve.registry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlctl policy|approve|reject|approval show} and the approval columns of {@code show}. */
class MlctlApprovalTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private Path store;

  @BeforeEach
  void setUp() throws Exception {
    store = tmp.resolve("store");
    Path src = Files.createDirectories(tmp.resolve("src"));
    Path artifact = Files.write(src.resolve("model.pt"), new byte[] {1, 2, 3});
    Files.writeString(src.resolve("model.json"), """
        {"name":"m","version":"0.0.0","format":"torchscript","artifact":"model.pt",
         "signature":{"inputs":[{"name":"x","datatype":"FP32","shape":[-1,2]}],
                      "outputs":[{"name":"y","datatype":"FP32","shape":[-1,2]}]}}
        """);
    for (String v : List.of("1.0.0", "1.1.0")) {
      Mlctl.Result r = onStore("alice", "register", "--model", "m", "--version", v,
          "--artifact", artifact.toString());
      assertEquals(0, r.code(), r.err());
    }
    assertEquals(0, onStore("alice", "promote", "--model", "m", "--version", "1.0.0",
        "--stage", "Production").code());
  }

  private Mlctl.Result onStore(String actor, String... args) {
    String[] all = new String[args.length + 4];
    all[0] = "--store";
    all[1] = store.toString();
    all[2] = "--actor";
    all[3] = actor;
    System.arraycopy(args, 0, all, 4, args.length);
    return Mlctl.run(all);
  }

  /** What the server will do when 1.1.0 reaches Staging: evaluate it (wired by the server). */
  private void evaluate(Map<String, Double> metrics) {
    try (EventLog events = EventLog.open(store)) {
      ModelRegistry r = new ModelRegistry(ModelStore.open(store), events,
          ArtifactValidator.none(), Clock.systemUTC());
      r.approvals().beginEvaluation("m", "1.1.0", "server");
      r.approvals().recordEvaluation("m", "1.1.0", "ev-1", metrics, Map.of("rmse", 0.5),
          "evaluator");
    }
  }

  @Test
  void policySetShowAndClear() throws Exception {
    Path file = Files.writeString(tmp.resolve("policy.json"), """
        {"mode": "manual", "datasets": ["holdout"], "four_eyes": true,
         "gates": [{"metric": "rmse", "max_ratio": 1.0}, {"metric": "p95_ms", "max": 120}]}""");
    Mlctl.Result r = onStore("alice", "policy", "set", "--model", "m", "--file",
        file.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("""
        policy of m set
        mode manual, four eyes yes, on pass promote
        datasets holdout
        METRIC  DIRECTION        BOUNDS
        rmse    lower_is_better  max_ratio=1.0
        p95_ms  lower_is_better  max=120.0""", r.out().trim());
    r = onStore("alice", "--output", "json", "policy", "show", "--model", "m");
    JsonNode p = JSON.readTree(r.out());
    assertEquals("manual", p.get("mode").asText());
    // what show prints can be set again as it is
    Path back = Files.writeString(tmp.resolve("back.json"), r.out());
    assertEquals(0, onStore("alice", "policy", "set", "--model", "m", "--file",
        back.toString()).code());
    r = onStore("alice", "policy", "clear", "--model", "m");
    assertEquals("policy of m cleared: promotion to Production needs no approval",
        r.out().trim());
    r = onStore("alice", "policy", "show", "--model", "m");
    assertEquals("m has no policy: promotion to Production needs no approval", r.out().trim());
  }

  @Test
  void aBadPolicyFileIsRefusedWithTheReason() throws Exception {
    Path file = Files.writeString(tmp.resolve("policy.json"), """
        {"mode": "hybrid", "datasets": ["holdout"], "gates": [{"metric": "cost", "max": 1}]}""");
    Mlctl.Result r = onStore("alice", "policy", "set", "--model", "m", "--file",
        file.toString());
    assertEquals(1, r.code());
    assertEquals("mlctl: INVALID_ARGUMENT: gate cost: 'direction' is required for a metric without a known"
        + " direction (lower_is_better or higher_is_better)", r.err().trim());
  }

  @Test
  void manualFlowApproveThenPromote() throws Exception {
    Path file = Files.writeString(tmp.resolve("policy.json"), """
        {"mode": "manual", "datasets": ["holdout"], "four_eyes": true,
         "gates": [{"metric": "rmse", "max_ratio": 1.0}]}""");
    assertEquals(0, onStore("alice", "policy", "set", "--model", "m", "--file",
        file.toString()).code());
    assertEquals(0, onStore("alice", "promote", "--model", "m", "--version", "1.1.0",
        "--stage", "Staging").code());
    evaluate(Map.of("rmse", 0.4));
    Mlctl.Result r = onStore("alice", "promote", "--model", "m", "--version", "1.1.0",
        "--stage", "Production");
    assertEquals(1, r.code());
    assertEquals("mlctl: FAILED_PRECONDITION: m 1.1.0 has no approval, which the model's manual policy requires for"
        + " Production: it waits for a decision (state PENDING_APPROVAL, gates PASSED); approve"
        + " it with `mlctl approve --model m --version 1.1.0 --comment ...`", r.err().trim());
    r = onStore("alice", "show", "--model", "m");
    assertTrue(r.out().contains("APPROVAL          VERDICT"), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("1.1.0") && l.contains(
        "PENDING_APPROVAL  PASSED (ev-1)")), r.out());
    r = onStore("alice", "approve", "--model", "m", "--version", "1.1.0", "--comment", "mine");
    assertEquals(1, r.code());
    assertEquals("mlctl: FAILED_PRECONDITION: four eyes: alice registered m:1.1.0, so someone else must approve it",
        r.err().trim());
    r = onStore("bob", "approve", "--model", "m", "--version", "1.1.0", "--comment",
        "checked the residuals");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("m:1.1.0 APPROVED (manual)\nevaluation ev-1: PASSED against"
        + " 1.0.0"), r.out());
    assertTrue(r.out().contains("approve   bob  checked the residuals"), r.out());
    assertEquals(0, onStore("bob", "promote", "--model", "m", "--version", "1.1.0", "--stage",
        "Production").code());
    r = onStore("bob", "--output", "json", "approval", "show", "--model", "m", "--version",
        "1.1.0");
    JsonNode a = JSON.readTree(r.out());
    assertEquals("APPROVED", a.get("state").asText());
    assertEquals(0.8, a.get("gates").get(0).get("ratio").asDouble(), 1e-12);
  }

  @Test
  void rejectThenOverride() throws Exception {
    Path file = Files.writeString(tmp.resolve("policy.json"), """
        {"mode": "manual", "datasets": ["holdout"]}""");
    assertEquals(0, onStore("alice", "policy", "set", "--model", "m", "--file",
        file.toString()).code());
    assertEquals(0, onStore("alice", "promote", "--model", "m", "--version", "1.1.0",
        "--stage", "Staging").code());
    evaluate(Map.of("rmse", 0.4));
    Mlctl.Result r = onStore("carol", "reject", "--model", "m", "--version", "1.1.0",
        "--comment", "wait for Monday's data");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("m:1.1.0 REJECTED"), r.out());
    r = onStore("bob", "approve", "--model", "m", "--version", "1.1.0");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("approving it anyway needs --override and --reason"), r.err());
    r = onStore("bob", "approve", "--model", "m", "--version", "1.1.0", "--override",
        "--reason", "hotfix");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("override  bob"), r.out());
  }
}
