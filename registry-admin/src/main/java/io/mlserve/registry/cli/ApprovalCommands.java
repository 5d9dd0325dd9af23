package io.mlserve.registry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mlserve.proto.admin.v1.ApprovalResponse;
import io.mlserve.proto.admin.v1.ApproveRequest;
import io.mlserve.proto.admin.v1.ClearPolicyRequest;
import io.mlserve.proto.admin.v1.ListApprovalsResponse;
import io.mlserve.proto.admin.v1.PolicyRequest;
import io.mlserve.proto.admin.v1.PolicyResponse;
import io.mlserve.proto.admin.v1.RejectRequest;
import io.mlserve.proto.admin.v1.SetPolicyRequest;
import io.mlserve.proto.admin.v1.VersionApprovalRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mlctl policy set|show|clear}, {@code mlctl approve|reject} and
 * {@code mlctl approval show}: a model's approval policy and its versions' approvals, through
 * the admin API's Approvals service (on a store directly or against a server). With
 * {@code --output json} they print the policy or the approval record as the store holds it.
 * Not thread-safe (one run).
 */
final class ApprovalCommands {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ApprovalCommands() {}

  @Command(name = "policy", description = "A model's approval policy: mode, evaluation"
      + " datasets and gates.", subcommands = {SetPolicy.class, ShowPolicy.class,
          ClearPolicy.class})
  static final class PolicyGroup {
    @ParentCommand MlctlMain main;
  }

  abstract static class PolicyBase implements Callable<Integer> {
    @ParentCommand PolicyGroup group;
    @Option(names = "--model", required = true) String model;

    @Override
    public Integer call() throws Exception {
      Output out = group.main.output();
      try (AdminClient client = group.main.client()) {
        PolicyResponse p = run(client);
        if (out.json()) {
          out.line(p.getHasPolicy() ? pretty(p.getPolicyJson()) : "null");
        } else {
          out.line(headline(p) + (p.getHasPolicy() ? "\n" + policyText(p.getPolicyJson()) : ""));
        }
      }
      return 0;
    }

    abstract PolicyResponse run(AdminClient client) throws Exception;

    abstract String headline(PolicyResponse p);
  }

  @Command(name = "set", description = "Set (or replace) the policy from a JSON file.")
  static final class SetPolicy extends PolicyBase {
    @Option(names = "--file", required = true, paramLabel = "FILE",
        description = "the policy document (JSON)") Path file;
    @Option(names = "--reason") String reason;

    @Override
    PolicyResponse run(AdminClient client) throws Exception {
      String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
      return client.approvals().setPolicy(SetPolicyRequest.newBuilder().setModel(model)
          .setPolicyJson(text).setReason(reason == null ? "" : reason).build());
    }

    @Override
    String headline(PolicyResponse p) {
      return "policy of " + model + " set";
    }
  }

  @Command(name = "show", description = "Show the policy.")
  static final class ShowPolicy extends PolicyBase {
    @Override
    PolicyResponse run(AdminClient client) {
      return client.approvals().getPolicy(PolicyRequest.newBuilder().setModel(model).build());
    }

    @Override
    String headline(PolicyResponse p) {
      return p.getHasPolicy() ? "policy of " + model
          : model + " has no policy: promotion to Production needs no approval";
    }
  }

  @Command(name = "clear", description = "Remove the policy (promotion is no longer gated).")
  static final class ClearPolicy extends PolicyBase {
    @Option(names = "--reason") String reason;

    @Override
    PolicyResponse run(AdminClient client) {
      return client.approvals().clearPolicy(ClearPolicyRequest.newBuilder().setModel(model)
          .setReason(reason == null ? "" : reason).build());
    }

    @Override
    String headline(PolicyResponse p) {
      return "policy of " + model + " cleared: promotion to Production needs no approval";
    }
  }

  /** The policy in words and a gate table. */
  static String policyText(String json) {
    JsonNode p = read(json);
    StringBuilder sb = new StringBuilder("mode ").append(p.path("mode").asText());
    if (!p.path("veto_window").isNull()) {
      sb.append(" (veto window ").append(p.path("veto_window").asText()).append(')');
    }
    sb.append(", four eyes ").append(p.path("four_eyes").asBoolean() ? "yes" : "no")
        .append(", on pass ").append(p.path("on_pass").asText());
    List<String> ds = new ArrayList<>();
    p.path("datasets").forEach(d -> ds.add(d.asText()));
    sb.append("\ndatasets ").append(String.join(", ", ds));
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode g : p.path("gates")) {
      List<String> bounds = new ArrayList<>();
      g.fieldNames().forEachRemaining(f -> {
        if (!f.equals("metric") && !f.equals("direction")) {
          bounds.add(f + "=" + g.get(f).asText());
        }
      });
      rows.add(List.of(g.path("metric").asText(), g.path("direction").asText(),
          String.join(" ", bounds)));
    }
    if (!rows.isEmpty()) {
      sb.append('\n').append(Output.render(List.of("METRIC", "DIRECTION", "BOUNDS"), rows));
    }
    return sb.toString();
  }

  abstract static class Decide extends ModelCommands.Base {
    @Option(names = "--model", required = true) String model;
    @Option(names = "--version", required = true) String version;
    @Option(names = "--comment", description = "why, for the history") String comment;

    @Override
    void run(AdminClient client, Output out) {
      ApprovalResponse a = decide(client);
      printApproval(out, a);
    }

    abstract ApprovalResponse decide(AdminClient client);
  }

  @Command(name = "approve", description = "Approve a version for Production (overrides a"
      + " rejection with --override --reason).")
  static final class Approve extends Decide {
    @Option(names = "--override", description = "approve a version that is not waiting for an"
        + " approval (rejected, or not evaluated); needs --reason") boolean override;
    @Option(names = "--reason", description = "why the override") String reason;

    @Override
    ApprovalResponse decide(AdminClient client) {
      return client.approvals().approve(ApproveRequest.newBuilder().setModel(model)
          .setVersion(version).setComment(comment == null ? "" : comment).setOverride(override)
          .setReason(reason == null ? "" : reason).build());
    }
  }

  @Command(name = "reject", description = "Reject a version (in hybrid mode: a veto).")
  static final class Reject extends Decide {
    @Override
    ApprovalResponse decide(AdminClient client) {
      return client.approvals().reject(RejectRequest.newBuilder().setModel(model)
          .setVersion(version).setComment(comment == null ? "" : comment).build());
    }
  }

  @Command(name = "approval", description = "A version's approval: state, verdict, gates,"
      + " decisions.", subcommands = {ShowApproval.class})
  static final class ApprovalGroup {
    @ParentCommand MlctlMain main;
  }

  @Command(name = "show", description = "Show a version's approval.")
  static final class ShowApproval implements Callable<Integer> {
    /** The longest --wait accepted, in seconds. */
    static final int MAX_WAIT_SECONDS = 3600;
    @ParentCommand ApprovalGroup group;
    @Option(names = "--model", required = true) String model;
    @Option(names = "--version", required = true) String version;
    @Option(names = "--wait", paramLabel = "SECONDS", description = "Wait up to SECONDS for"
        + " the server's evaluation: while the approval is NONE or EVALUATING, ask again every"
        + " 0.5 s; still there at the end: exit 1.")
    int waitSeconds;

    @Override
    public Integer call() throws Exception {
      if (waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS) {
        throw new IllegalArgumentException("--wait must be 0 to " + MAX_WAIT_SECONDS
            + " seconds, got " + waitSeconds);
      }
      Output out = group.main.output();
      try (AdminClient client = group.main.client()) {
        VersionApprovalRequest req = VersionApprovalRequest.newBuilder().setModel(model)
            .setVersion(version).build();
        ApprovalResponse r = client.approvals().getApproval(req);
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        while (waitSeconds > 0 && undecided(r) && System.nanoTime() < deadline) {
          Thread.sleep(500);
          r = client.approvals().getApproval(req);
        }
        printApproval(out, r);
        if (waitSeconds > 0 && undecided(r)) {
          throw new IllegalStateException(model + " " + version + " is still " + state(r)
              + " after " + waitSeconds + " s: is a server with this store running (it"
              + " evaluates versions that reach Staging under a policy)?");
        }
      }
      return 0;
    }

    private static String state(ApprovalResponse r) {
      return read(r.getApprovalJson()).path("state").asText("NONE");
    }

    private static boolean undecided(ApprovalResponse r) {
      String s = state(r);
      return s.equals("NONE") || s.equals("EVALUATING");
    }
  }

  static void printApproval(Output out, ApprovalResponse r) {
    if (out.json()) {
      out.line(pretty(r.getApprovalJson()));
      return;
    }
    JsonNode a = read(r.getApprovalJson());
    StringBuilder sb = new StringBuilder(r.getModel() + ":" + r.getVersion() + " "
        + r.getState());
    if (!a.path("mode").isNull()) {
      sb.append(" (").append(a.path("mode").asText()).append(')');
    }
    if (!a.path("verdict").isNull()) {
      sb.append("\nevaluation ").append(a.path("evaluation_id").asText()).append(": ")
          .append(a.path("verdict").asText()).append(" against ")
          .append(a.path("baseline_version").isNull() ? "no baseline"
              : a.path("baseline_version").asText());
    }
    if (!a.path("veto_deadline").isNull()) {
      sb.append("\napproved at ").append(Output.time(a.path("veto_deadline").asLong()))
          .append(" unless rejected");
    }
    List<List<String>> gates = new ArrayList<>();
    for (JsonNode g : a.path("gates")) {
      gates.add(List.of(g.path("bound").asText(), num(g, "candidate"), num(g, "baseline"),
          g.path("status").asText()));
    }
    if (!gates.isEmpty()) {
      sb.append('\n').append(Output.render(List.of("GATE", "CANDIDATE", "BASELINE", "RESULT"),
          gates));
    }
    List<List<String>> decisions = new ArrayList<>();
    for (JsonNode d : a.path("decisions")) {
      decisions.add(List.of(Output.time(d.path("at").asLong()), d.path("action").asText(),
          d.path("actor").asText(), d.path("comment").isNull() ? ""
              : d.path("comment").asText()));
    }
    if (!decisions.isEmpty()) {
      sb.append('\n').append(Output.render(List.of("TIME", "DECISION", "BY", "COMMENT"),
          decisions));
    }
    out.line(sb.toString());
  }

  /**
   * For {@code mlctl show}: version → {@code {approval state, last verdict}} when the model has
   * a policy or any version has an approval record; empty otherwise, or when the server has no
   * Approvals service. The verdict is the gates' verdict of the last evaluation recorded for
   * the version ({@code VERDICT (evaluation id)}).
   */
  static Map<String, List<String>> approvalColumns(AdminClient client, String model) {
    ListApprovalsResponse r;
    try {
      r = client.approvals().listApprovals(PolicyRequest.newBuilder().setModel(model).build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return Map.of(); // a server from before approvals
      }
      throw e;
    }
    Map<String, List<String>> out = new HashMap<>();
    boolean any = !r.getMode().isEmpty();
    for (ApprovalResponse a : r.getApprovalsList()) {
      JsonNode n = read(a.getApprovalJson());
      String verdict = n.path("verdict").isNull() ? "" : n.path("verdict").asText() + " ("
          + n.path("evaluation_id").asText() + ")";
      out.put(a.getVersion(), List.of(a.getState(), verdict));
      any |= !a.getState().equals("NONE");
    }
    return any ? out : Map.of();
  }

  private static String num(JsonNode n, String f) {
    return n.path(f).isNull() || n.path(f).isMissingNode() ? "" : n.path(f).asText();
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the server sent a record that is not JSON", e);
    }
  }

  private static String pretty(String json) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(read(json));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot print a record", e);
    }
  }
}
