package io.mlserve.registry.cli;

import io.mlserve.proto.serving.v1.DriftGrpc;
import io.mlserve.proto.serving.v1.FeatureDrift;
import io.mlserve.proto.serving.v1.GetDriftRequest;
import io.mlserve.proto.serving.v1.GetDriftResponse;
import io.mlserve.proto.serving.v1.PerformanceDrift;
import io.mlserve.proto.serving.v1.VersionDrift;
import io.mlserve.registry.grpc.DriftJsonFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mlctl drift --model M [--version V]}: a model's live drift on a running server, per
 * served version: the reference, the window, the share of drifted features, prediction and
 * performance drift, and a table of input and output features sorted by PSI (largest first).
 * The record lives in the server's memory, so it needs {@code --server}; {@code --output json}
 * prints what {@code GET /api/v1/models/{m}/drift} answers. Not thread-safe (one run).
 */
@Command(name = "drift", description = "Live drift of a model on a running server: PSI and KS"
    + " per feature against the version's reference, share of drifted features, prediction"
    + " and performance drift (needs --server).")
final class DriftCommand implements Callable<Integer> {
  @ParentCommand MlctlMain main;
  @Option(names = "--model", required = true) String model;
  @Option(names = "--version", description = "one version (default: every version serving)")
  String version;

  @Override
  public Integer call() throws Exception {
    GetDriftRequest.Builder req = GetDriftRequest.newBuilder().setModel(model);
    if (version != null) {
      req.setVersion(version);
    }
    ServerReports.print(main, "drift reads a running server's sampled requests: give --server"
        + " HOST:PORT", DriftGrpc::newBlockingStub, stub -> stub.getDrift(req.build()),
        DriftJsonFormat::report, DriftCommand::print);
    return 0;
  }

  static void print(Output out, GetDriftResponse r) {
    if (r.hasNote()) {
      out.line("model " + r.getModel() + ": " + r.getNote());
    }
    for (VersionDrift v : r.getVersionsList()) {
      out.line("model " + r.getModel() + " " + v.getVersion() + ": reference "
          + (v.hasReferenceSource() ? v.getReferenceSource() + " (" + v.getReferenceRows()
              + " rows)" : "-") + ", window " + v.getWindowRows() + " of "
          + v.getWindowCapacity() + " rows (" + v.getSampledRows() + " sampled)"
          + (v.hasComputedAtMs() ? ", computed " + Output.time(v.getComputedAtMs()) : ""));
      out.line("drifted features " + percent(v.hasDriftedShare(), v.getDriftedShare())
          + " (PSI > " + Output.number(v.getPsiThreshold()) + "); max PSI "
          + opt(v.hasFeaturePsiMax(), v.getFeaturePsiMax()) + ", max KS "
          + opt(v.hasFeatureKsMax(), v.getFeatureKsMax()) + "; prediction max PSI "
          + opt(v.hasPredictionPsiMax(), v.getPredictionPsiMax()));
      if (v.hasPerformance()) {
        PerformanceDrift p = v.getPerformance();
        out.line("performance: live " + p.getMetric() + " " + Output.number(p.getLive())
            + " over " + p.getOutcomes() + " outcomes, evaluated "
            + opt(p.hasEvaluated(), p.getEvaluated())
            + (p.hasEvaluationId() ? " (" + p.getEvaluationId() + ")" : "") + ", drift "
            + percent(p.hasDrift(), p.getDrift()));
      } else {
        out.line("performance: no outcome feedback");
      }
      out.line("status: " + v.getStatus());
      List<String[]> rows = new ArrayList<>();
      v.getFeaturesList().forEach(f -> rows.add(row("input", f)));
      v.getOutputsList().forEach(f -> rows.add(row("output", f)));
      if (!rows.isEmpty()) {
        rows.sort(Comparator.comparingDouble((String[] x) -> -Double.parseDouble(x[7])));
        List<List<String>> cells = new ArrayList<>();
        rows.forEach(x -> cells.add(List.of(x).subList(0, 7)));
        out.table(List.of("FEATURE", "SIDE", "PSI", "KS", "DRIFTED", "LIVE MEAN", "REF MEAN"),
            cells);
      }
    }
  }

  /** A table row, with the raw PSI last (for sorting). */
  private static String[] row(String side, FeatureDrift f) {
    return new String[] {f.getName(), side, Output.number(f.getPsi()),
        Output.number(f.getKs()), f.getDrifted() ? "yes" : "no",
        Output.number(f.getLiveMean()), Output.number(f.getReferenceMean()),
        Double.toString(f.getPsi())};
  }

  private static String opt(boolean present, double v) {
    return ShadowCommands.opt(present, v);
  }

  private static String percent(boolean present, double ratio) {
    return ShadowCommands.percent(present, ratio);
  }
}
