package io.mlserve.registry.cli;

import io.mlserve.proto.serving.v1.Alert;
import io.mlserve.proto.serving.v1.AlertRuleInfo;
import io.mlserve.proto.serving.v1.AlertTransitionInfo;
import io.mlserve.proto.serving.v1.AlertsGrpc;
import io.mlserve.proto.serving.v1.ListAlertsRequest;
import io.mlserve.proto.serving.v1.ListAlertsResponse;
import io.mlserve.registry.grpc.AlertsJsonFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mlctl alerts [--model M]}: the alerts a running server evaluates (its
 * {@code mlserve.serving.v1.Alerts/ListAlerts}; needs {@code --server}): the active alerts, the
 * rules in force and the recent transitions as tables, or with {@code --output json} what
 * {@code GET /api/v1/alerts} answers. Not thread-safe (one run).
 */
@Command(name = "alerts", description = "Alerts on a running server: active alerts (pending or"
    + " firing) with their value and threshold, the rules in force and recent transitions"
    + " (needs --server).")
final class AlertsCommand implements Callable<Integer> {
  @ParentCommand MlctlMain main;

  @Option(names = "--model", description = "only this model's alerts (no process alerts)")
  String model;

  @Override
  public Integer call() throws Exception {
    ServerReports.print(main, "alerts are evaluated by a running server: give --server"
        + " HOST:PORT", AlertsGrpc::newBlockingStub,
        stub -> stub.listAlerts(ListAlertsRequest.newBuilder()
            .setModel(model == null ? "" : model).build()),
        AlertsJsonFormat::list, AlertsCommand::print);
    return 0;
  }

  static void print(Output out, ListAlertsResponse r) {
    if (!r.getEnabled()) {
      out.line("alerts are off on this server (--no-alerts)");
      return;
    }
    out.line((r.getEvaluating() ? "evaluating " + r.getRulesCount() + " rule(s) every "
        + Output.number(r.getIntervalMs() / 1000.0) + " s" : "not evaluating: another server"
        + " on this store holds the alerts lease")
        + (r.getEvaluatedAtMs() > 0 ? "; last at " + Output.time(r.getEvaluatedAtMs()) : ""));
    if (r.getActiveCount() == 0) {
      out.line("no active alerts");
    } else {
      List<List<String>> rows = new ArrayList<>();
      for (Alert a : r.getActiveList()) {
        rows.add(List.of(a.getAlertname(), a.getState(), a.getSeverity(),
            scope(a.getModel(), a.getVersion()), Output.number(a.getValue()),
            Output.number(a.getThreshold()), Output.time(a.getActiveSinceMs()),
            a.getAnnotationsOrDefault("summary", "")));
      }
      out.table(List.of("ALERT", "STATE", "SEVERITY", "SCOPE", "VALUE", "THRESHOLD",
          "ACTIVE SINCE", "SUMMARY"), rows);
    }
    List<List<String>> rules = new ArrayList<>();
    for (AlertRuleInfo rule : r.getRulesList()) {
      rules.add(List.of(rule.getName(), rule.getExpr(), rule.getWindow(), rule.getForDuration(),
          rule.getSeverity()));
    }
    out.line("rules:");
    out.table(List.of("RULE", "EXPR", "WINDOW", "FOR", "SEVERITY"), rules);
    if (r.getRecentCount() > 0) {
      List<List<String>> recent = new ArrayList<>();
      for (AlertTransitionInfo t : r.getRecentList()) {
        recent.add(List.of(Output.time(t.getAtMs()), t.getAlertname(),
            scope(t.getModel(), t.getVersion()), t.getFrom() + " -> " + t.getTo(),
            Output.number(t.getValue()), Output.number(t.getThreshold())));
      }
      out.line("recent transitions, newest first:");
      out.table(List.of("AT", "ALERT", "SCOPE", "CHANGE", "VALUE", "THRESHOLD"), recent);
    }
  }

  private static String scope(String model, String version) {
    return model.isEmpty() ? "process" : model + " " + version;
  }
}
