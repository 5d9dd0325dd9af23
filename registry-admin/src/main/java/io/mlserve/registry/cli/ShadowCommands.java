package io.mlserve.registry.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mlserve.proto.admin.v1.GetShadowRequest;
import io.mlserve.proto.admin.v1.Shadow;
import io.mlserve.proto.admin.v1.ShadowResponse;
import io.mlserve.proto.admin.v1.StartShadowRequest;
import io.mlserve.proto.admin.v1.StopShadowRequest;
import io.mlserve.proto.serving.v1.ShadowExample;
import io.mlserve.proto.serving.v1.ShadowOutput;
import io.mlserve.proto.serving.v1.ShadowReportRequest;
import io.mlserve.proto.serving.v1.ShadowReportResponse;
import io.mlserve.proto.serving.v1.TensorPreview;
import io.mlserve.registry.grpc.ShadowJsonFormat;
import io.mlserve.registry.grpc.ShadowProtos;
import io.mlserve.store.TrafficSplit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mlctl shadow start|stop|status|report}: a model's shadow deployment. Start, stop and
 * status go through the admin API (on a store directly or against a server, like every mlctl
 * command); the report is kept in the memory of the server that mirrors the requests, so it
 * needs {@code --server}, and {@code --output json} prints what
 * {@code GET /api/v1/models/{m}/shadow} answers. Not thread-safe (one run).
 */
final class ShadowCommands {
  private ShadowCommands() {}

  @Command(name = "shadow", description = "Shadow deployments: a sampled copy of each answered"
      + " request goes to another version after the answer, and its answers are compared.",
      subcommands = {Start.class, Stop.class, Status.class, Report.class})
  static final class Group {
    @ParentCommand MlctlMain main;
  }

  abstract static class Base extends ModelCall<ShadowResponse> {
    @ParentCommand Group group;

    @Override
    final MlctlMain main() {
      return group.main;
    }

    @Override
    final void json(JsonGenerator g, ShadowResponse r) throws IOException {
      ShadowProtos.json(g, r);
    }

    /** The first line when a shadow runs, e.g. {@code m: shadow 1.3.0 started}. */
    String headline(ShadowResponse r) {
      return r.getModel() + ": shadow " + r.getShadow().getVersion();
    }

    /** The answer when none runs. */
    String none(ShadowResponse r) {
      return r.getModel() + " has no shadow";
    }

    @Override
    final String text(ShadowResponse r) {
      if (!r.getHasShadow()) {
        return none(r);
      }
      Shadow s = r.getShadow();
      StringBuilder sb = new StringBuilder(headline(r)).append(" (sample ")
          .append(TrafficSplit.format(s.getSample())).append(", atol ")
          .append(TrafficSplit.format(s.getAtol())).append(", rtol ")
          .append(TrafficSplit.format(s.getRtol())).append(")\nstarted ")
          .append(Output.time(s.getStartedAtMs()));
      if (!s.getActor().isEmpty()) {
        sb.append(" by ").append(s.getActor());
      }
      if (!s.getReason().isEmpty()) {
        sb.append(": ").append(s.getReason());
      }
      return sb.toString();
    }
  }

  @Command(name = "start", description = "Start (or replace) the model's shadow: a version,"
      + " neither Production nor Archived, that receives a copy of answered requests.")
  static final class Start extends Base {
    @Option(names = "--version", required = true, description = "the shadow version")
    String version;
    @Option(names = "--sample", description = "share of answered requests copied, in (0, 1]"
        + " (default: 1)") Double sample;
    @Option(names = "--atol", description = "absolute tolerance of agreement (default: 1e-4)")
    Double atol;
    @Option(names = "--rtol", description = "relative tolerance of agreement (default: 1e-3)")
    Double rtol;
    @Option(names = "--reason") String reason;

    @Override
    ShadowResponse run(AdminClient client) {
      StartShadowRequest.Builder req = StartShadowRequest.newBuilder().setModel(model)
          .setVersion(version).setReason(reason == null ? "" : reason);
      if (sample != null) {
        req.setSample(sample);
      }
      if (atol != null) {
        req.setAtol(atol);
      }
      if (rtol != null) {
        req.setRtol(rtol);
      }
      return client.blocking().startShadow(req.build());
    }

    @Override
    String headline(ShadowResponse r) {
      return r.getModel() + ": shadow " + r.getShadow().getVersion() + " started";
    }
  }

  @Command(name = "stop", description = "Stop the model's shadow.")
  static final class Stop extends Base {
    @Option(names = "--reason") String reason;

    @Override
    ShadowResponse run(AdminClient client) {
      return client.blocking().stopShadow(StopShadowRequest.newBuilder().setModel(model)
          .setReason(reason == null ? "" : reason).build());
    }

    @Override
    String none(ShadowResponse r) {
      return r.getModel() + ": shadow stopped; none runs now";
    }
  }

  @Command(name = "status", description = "Show the model's shadow: version, sample,"
      + " tolerances, who started it, when and why.")
  static final class Status extends Base {
    @Override
    ShadowResponse run(AdminClient client) {
      return client.blocking().getShadow(GetShadowRequest.newBuilder().setModel(model).build());
    }
  }

  @Command(name = "report", description = "What the shadow did on a running server: copies"
      + " mirrored and dropped, errors, timeouts, latency, agreement, divergence per output and"
      + " the worst-diverging requests (needs --server).")
  static final class Report implements Callable<Integer> {
    @ParentCommand Group group;
    @Option(names = "--model", required = true) String model;

    @Override
    public Integer call() throws Exception {
      ServerReports.print(group.main, "shadow report reads a running server's record of"
          + " mirrored requests: give --server HOST:PORT",
          stub -> stub.shadowReport(ShadowReportRequest.newBuilder().setModel(model).build()),
          ShadowJsonFormat::report, ShadowCommands::print);
      return 0;
    }
  }

  static void print(Output out, ShadowReportResponse r) {
    out.line("model " + r.getModel() + ", shadow " + r.getVersion() + " (sample "
        + TrafficSplit.format(r.getSample()) + ", atol " + TrafficSplit.format(r.getAtol())
        + ", rtol " + TrafficSplit.format(r.getRtol()) + "), since "
        + Output.time(r.getStartedAtMs()));
    out.line("mirrored " + r.getMirrored() + ", dropped " + r.getDropped() + ", queued "
        + r.getQueued() + "; compared " + r.getCompared() + ", agreed " + r.getAgreed()
        + " (agreement " + percent(r.hasAgreementRatio(), r.getAgreementRatio()) + "); errors "
        + r.getErrors() + ", timeouts " + r.getTimeouts() + " (error rate "
        + percent(r.hasErrorRate(), r.getErrorRate()) + ")");
    out.line("shadow latency ms: p50 " + opt(r.hasP50Ms(), r.getP50Ms()) + ", p95 "
        + opt(r.hasP95Ms(), r.getP95Ms()) + ", p99 " + opt(r.hasP99Ms(), r.getP99Ms()));
    List<List<String>> rows = new ArrayList<>();
    for (ShadowOutput o : r.getOutputsList()) {
      rows.add(List.of(o.getName(), Long.toString(o.getRequests()),
          Long.toString(o.getMismatched()), Long.toString(o.getElements()),
          opt(o.hasMeanAbsDiff(), o.getMeanAbsDiff()), opt(o.hasMaxAbsDiff(), o.getMaxAbsDiff()),
          opt(o.hasMeanRelDiff(), o.getMeanRelDiff())));
    }
    out.table(List.of("OUTPUT", "REQUESTS", "MISMATCHED", "ELEMENTS", "MEAN ABS DIFF",
        "MAX ABS DIFF", "MEAN REL DIFF"), rows);
    if (r.getWorstCount() == 0) {
      out.line("no diverging requests kept");
      return;
    }
    out.line("worst-diverging requests, worst first:");
    int n = 0;
    for (ShadowExample e : r.getWorstList()) {
      out.line(++n + ". request " + (e.hasRequestId() ? e.getRequestId() : "-")
          + " (answered by " + e.getPrimaryVersion() + "): max |diff| "
          + Output.number(e.getMaxAbsDiff()));
      previews(out, "input", e.getInputsList());
      previews(out, "primary", e.getPrimaryList());
      previews(out, "shadow", e.getShadowList());
    }
  }

  private static void previews(Output out, String what, List<TensorPreview> ps) {
    for (TensorPreview p : ps) {
      List<String> shape = p.getShapeList().stream().map(String::valueOf).toList();
      List<String> values = p.getValuesList().stream().map(Output::number).toList();
      out.line("   " + what + " " + p.getName() + " " + p.getDatatype() + " ["
          + String.join(",", shape) + "]: " + String.join(", ", values)
          + (p.getElements() > p.getValuesCount()
              ? ", ... (" + p.getElements() + " values)" : ""));
    }
  }

  static String opt(boolean present, double v) {
    return present ? Output.number(v) : "-";
  }

  static String percent(boolean present, double ratio) {
    return present ? Output.number(100 * ratio) + "%" : "-";
  }
}
