package io.mlserve.registry.cli;

import io.mlserve.proto.serving.v1.AbArm;
import io.mlserve.proto.serving.v1.AbComparison;
import io.mlserve.proto.serving.v1.AbOutcome;
import io.mlserve.proto.serving.v1.AbReportRequest;
import io.mlserve.proto.serving.v1.AbReportResponse;
import io.mlserve.proto.serving.v1.AbWindow;
import io.mlserve.registry.grpc.ExperimentsJsonFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mlctl ab report --model M}: the A/B report of a model's traffic split, from a running
 * server (the record of requests and feedback lives in the server's memory, so it needs
 * {@code --server}). Per arm a table of traffic, errors and latency, then the outcomes with
 * their 95% intervals, the comparisons with the baseline and the verdict; the same for the
 * previous split's window when the server still keeps it. {@code --output json} prints what
 * the REST route {@code GET /api/v1/models/{m}/ab} answers.
 */
final class AbCommands {
  private AbCommands() {}

  @Command(name = "ab", description = "A/B tests of traffic splits.",
      subcommands = {Report.class})
  static final class AbGroup {
    @ParentCommand MlctlMain main;
  }

  @Command(name = "report", description = "Per arm of the model's split: requests, errors,"
      + " latency, feedback outcomes with 95% intervals, and the difference from the baseline"
      + " with a p-value (needs --server).")
  static final class Report implements Callable<Integer> {
    @ParentCommand AbGroup group;
    @Option(names = "--model", required = true) String model;

    @Override
    public Integer call() throws Exception {
      ServerReports.print(group.main, "ab report reads a running server's record of requests"
          + " and feedback: give --server HOST:PORT",
          stub -> stub.abReport(AbReportRequest.newBuilder().setModel(model).build()),
          ExperimentsJsonFormat::report, AbCommands::print);
      return 0;
    }
  }

  static void print(Output out, AbReportResponse r) {
    if (!r.hasCurrent() && !r.hasPrevious()) {
      out.line("model " + r.getModel() + ": no traffic split has routed requests since the"
          + " server started");
      return;
    }
    if (r.hasCurrent()) {
      window(out, r.getModel(), "split in force", r.getCurrent());
    } else {
      out.line("model " + r.getModel() + ": no split in force");
    }
    if (r.hasPrevious()) {
      out.line("");
      window(out, r.getModel(), "previous split", r.getPrevious());
    }
  }

  private static void window(Output out, String model, String which, AbWindow w) {
    StringBuilder head = new StringBuilder("model " + model + ", " + which);
    if (w.hasSplitId()) {
      head.append(' ').append(w.getSplitId());
    }
    if (!w.getWeightsMap().isEmpty()) {
      List<String> parts = new ArrayList<>();
      for (Map.Entry<String, Double> e : new TreeMap<>(w.getWeightsMap()).entrySet()) {
        parts.add(e.getKey() + "=" + io.mlserve.store.TrafficSplit.format(e.getValue()));
      }
      head.append(" (").append(String.join(",", parts)).append(')');
    }
    head.append(", since ").append(Output.time(w.getStartedAtMs()));
    if (w.hasEndedAtMs()) {
      head.append(" until ").append(Output.time(w.getEndedAtMs()));
    }
    out.line(head.toString());
    List<List<String>> rows = new ArrayList<>();
    List<List<String>> outcomeRows = new ArrayList<>();
    for (AbArm a : w.getArmsList()) {
      rows.add(List.of(a.getVersion() + (a.getVersion().equals(w.getBaseline()) ? " *" : ""),
          a.hasWeight() ? io.mlserve.store.TrafficSplit.format(a.getWeight()) : "",
          Long.toString(a.getRequests()), Long.toString(a.getErrors()),
          a.hasErrorRate() ? Output.number(100 * a.getErrorRate()) + "%" : "",
          a.hasP50Ms() ? Output.number(a.getP50Ms()) : "", a.hasP95Ms() ? Output.number(a.getP95Ms()) : "",
          a.hasP99Ms() ? Output.number(a.getP99Ms()) : ""));
      for (AbOutcome o : a.getOutcomesList()) {
        outcomeRows.add(List.of(a.getVersion(), o.getMetric(), Long.toString(o.getN()),
            Output.number(o.getValue()),
            o.hasCiLow() ? "[" + Output.number(o.getCiLow()) + ", " + Output.number(o.getCiHigh()) + "]" : ""));
      }
    }
    out.table(List.of("VERSION", "WEIGHT", "REQUESTS", "ERRORS", "ERROR RATE", "P50 MS",
        "P95 MS", "P99 MS"), rows);
    if (!outcomeRows.isEmpty()) {
      out.table(List.of("VERSION", "METRIC", "N", "VALUE", "95% CI"), outcomeRows);
    }
    for (AbComparison c : w.getComparisonsList()) {
      if (c.getMetric().equals("rmse")) {
        out.line("  " + c.getVerdict());
      }
    }
    if (w.getUntrackedRequests() > 0) {
      out.line(w.getUntrackedRequests() + " requests to versions beyond the arm bound are in"
          + " no arm");
    }
    out.line("* baseline; significant needs p<0.05 and n>=" + w.getMinOutcomes()
        + " outcomes per arm");
    out.line("verdict: " + w.getVerdict());
  }

}
