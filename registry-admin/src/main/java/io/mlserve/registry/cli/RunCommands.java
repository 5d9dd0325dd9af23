package io.mlserve.registry.cli;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.admin.v1.ArtifactChunk;
import io.mlserve.proto.admin.v1.ArtifactHeader;
import io.mlserve.proto.admin.v1.CreateRunRequest;
import io.mlserve.proto.admin.v1.EndRunRequest;
import io.mlserve.proto.admin.v1.GetRunRequest;
import io.mlserve.proto.admin.v1.ListRunsRequest;
import io.mlserve.proto.admin.v1.ListRunsResponse;
import io.mlserve.proto.admin.v1.LogMetricRequest;
import io.mlserve.proto.admin.v1.LogParamRequest;
import io.mlserve.proto.admin.v1.MetricSeries;
import io.mlserve.proto.admin.v1.Run;
import io.mlserve.registry.grpc.AdminJsonFormat;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code mlctl run ...} (write a run) and {@code mlctl runs ...} (read runs). */
final class RunCommands {
  private RunCommands() {}

  @Command(name = "run", description = "Create and write an experiment run.",
      subcommands = {Create.class, LogParam.class, LogMetric.class, LogArtifact.class, End.class})
  static final class RunGroup {
    @ParentCommand MlctlMain main;
  }

  @Command(name = "runs", description = "List, show and compare experiment runs.",
      subcommands = {ListRuns.class, Show.class, Compare.class})
  static final class RunsGroup {
    @ParentCommand MlctlMain main;
  }

  abstract static class RunBase implements java.util.concurrent.Callable<Integer> {
    @ParentCommand Object group;
    @Option(names = "--model", required = true) String model;

    MlctlMain main() {
      return group instanceof RunGroup g ? g.main : ((RunsGroup) group).main;
    }

    @Override
    public Integer call() throws Exception {
      Output out = main().output();
      try (AdminClient client = main().client()) {
        run(client, out);
      }
      return 0;
    }

    abstract void run(AdminClient client, Output out) throws Exception;
  }

  static void printRun(Output out, Run r) {
    StringBuilder sb = new StringBuilder();
    sb.append("run ").append(r.getRunId()).append(" of ").append(r.getModel())
        .append(r.getName().isEmpty() ? "" : " (" + r.getName() + ")").append('\n')
        .append("  status   ").append(r.getStatus()).append('\n')
        .append("  started  ").append(Output.time(r.getStartTimeMs())).append('\n');
    if (r.getEndTimeMs() > 0) {
      sb.append("  ended    ").append(Output.time(r.getEndTimeMs())).append('\n');
    }
    if (!r.getSource().isEmpty()) {
      sb.append("  source   ").append(r.getSource()).append('\n');
    }
    sb.append("  params   ").append(r.getParamsJson()).append('\n');
    r.getMetricsMap().forEach((k, s) -> sb.append("  metric   ").append(k).append(" = ")
        .append(last(s)).append(" (").append(s.getPointsCount()).append(" points)\n"));
    r.getTagsMap().forEach((k, v) -> sb.append("  tag      ").append(k).append('=').append(v)
        .append('\n'));
    r.getArtifactsList().forEach(a -> sb.append("  artifact ").append(a).append('\n'));
    out.message(g -> AdminJsonFormat.run(g, r), sb.toString().stripTrailing());
  }

  static String last(MetricSeries s) {
    return s.getPointsCount() == 0 ? "" : String.valueOf(s.getPoints(s.getPointsCount() - 1)
        .getValue());
  }

  @Command(name = "create", description = "Start a run; prints its id.")
  static final class Create extends RunBase {
    @Option(names = "--name") String name;
    @Option(names = "--source", description = "default: the git commit of the current"
        + " directory, if any") String source;
    @Option(names = "--tag", description = "KEY=VALUE") Map<String, String> tags;

    @Override
    void run(AdminClient client, Output out) {
      String src = source != null ? source : gitCommit();
      Run r = client.blocking().createRun(CreateRunRequest.newBuilder().setModel(model)
          .setName(name == null ? "" : name).setSource(src == null ? "" : src)
          .putAllTags(tags == null ? Map.of() : tags).build());
      out.message(g -> AdminJsonFormat.run(g, r), r.getRunId());
    }
  }

  static String gitCommit() {
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true)
          .start();
      String s = new String(p.getInputStream().readAllBytes()).trim();
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0 || !s.matches("[0-9a-f]{40}")) {
        return null;
      }
      return "git:" + s;
    } catch (Exception e) {
      return null;
    }
  }

  @Command(name = "log-param", description = "Set a parameter of a run.")
  static final class LogParam extends RunBase {
    @Option(names = "--run", required = true) String run;
    @Option(names = "--key", required = true) String key;
    @Option(names = "--value", required = true) String value;

    @Override
    void run(AdminClient client, Output out) {
      Run r = client.blocking().logParam(LogParamRequest.newBuilder().setModel(model)
          .setRunId(run).setKey(key).setValue(value).build());
      out.message(g -> AdminJsonFormat.run(g, r), "ok");
    }
  }

  @Command(name = "log-metric", description = "Log a metric value (at a step).")
  static final class LogMetric extends RunBase {
    @Option(names = "--run", required = true) String run;
    @Option(names = "--key", required = true) String key;
    @Option(names = "--value", required = true) double value;
    @Option(names = "--step", defaultValue = "0") long step;

    @Override
    void run(AdminClient client, Output out) {
      Run r = client.blocking().logMetric(LogMetricRequest.newBuilder().setModel(model)
          .setRunId(run).setKey(key).setValue(value).setStep(step).build());
      out.message(g -> AdminJsonFormat.run(g, r), "ok");
    }
  }

  @Command(name = "log-artifact", description = "Upload a file into the run's artifacts/.")
  static final class LogArtifact extends RunBase {
    @Option(names = "--run", required = true) String run;
    @Option(names = "--file", required = true) Path file;
    @Option(names = "--name", description = "default: the file's name") String name;

    @Override
    void run(AdminClient client, Output out) throws Exception {
      CompletableFuture<Run> result = new CompletableFuture<>();
      StreamObserver<ArtifactChunk> up = client.async().logArtifact(
          ModelCommands.observer(result));
      up.onNext(ArtifactChunk.newBuilder().setHeader(ArtifactHeader.newBuilder().setModel(model)
          .setRunId(run).setName(name != null ? name : file.getFileName().toString())).build());
      try (InputStream in = Files.newInputStream(file)) {
        byte[] buf = new byte[1 << 20];
        for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0; ) {
          up.onNext(ArtifactChunk.newBuilder().setData(ByteString.copyFrom(buf, 0, n)).build());
        }
      }
      up.onCompleted();
      Run r = Streams.await(result);
      out.message(g -> AdminJsonFormat.run(g, r), "ok");
    }
  }

  @Command(name = "end", description = "End a run.")
  static final class End extends RunBase {
    @Option(names = "--run", required = true) String run;
    @Option(names = "--status", defaultValue = "FINISHED",
        description = "FINISHED|FAILED|KILLED") String status;

    @Override
    void run(AdminClient client, Output out) {
      Run r = client.blocking().endRun(EndRunRequest.newBuilder().setModel(model).setRunId(run)
          .setStatus(status).build());
      out.message(g -> AdminJsonFormat.run(g, r), r.getRunId() + " " + r.getStatus());
    }
  }

  @Command(name = "list", description = "List a model's runs.")
  static final class ListRuns extends RunBase {
    @Override
    void run(AdminClient client, Output out) {
      ListRunsResponse r = client.blocking().listRuns(ListRunsRequest.newBuilder()
          .setModel(model).build());
      if (out.json()) {
        out.message(g -> AdminJsonFormat.runs(g, model, r.getRunsList()), "");
        return;
      }
      List<List<String>> rows = new ArrayList<>();
      for (Run run : r.getRunsList()) {
        rows.add(List.of(run.getRunId(), run.getName(), run.getStatus(),
            Output.time(run.getStartTimeMs()), String.join(",", run.getMetricsMap().keySet())));
      }
      out.table(List.of("RUN", "NAME", "STATUS", "STARTED", "METRICS"), rows);
    }
  }

  @Command(name = "show", description = "Show one run: runs show --model M RUN (or --run RUN).")
  static final class Show extends RunBase {
    @Option(names = "--run", paramLabel = "RUN") String runOption;
    @Parameters(arity = "0..1", paramLabel = "RUN") String runArg;

    @Override
    void run(AdminClient client, Output out) {
      List<String> ids = runIds(runOption == null ? List.of() : List.of(runOption),
          runArg == null ? List.of() : List.of(runArg));
      if (ids.size() != 1) {
        throw new IllegalArgumentException("give one run: runs show --model M RUN (or --run"
            + " RUN)");
      }
      printRun(out, client.blocking().getRun(GetRunRequest.newBuilder().setModel(model)
          .setRunId(ids.get(0)).build()));
    }
  }

  /** The run ids given as {@code --run} options and as arguments, in order, each once. */
  static List<String> runIds(List<String> options, List<String> args) {
    java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>();
    ids.addAll(options);
    ids.addAll(args);
    return List.copyOf(ids);
  }

  @Command(name = "compare", description = "Params and metrics of runs side by side: runs"
      + " compare --model M RUN RUN... (or --run RUN --run RUN...).")
  static final class Compare extends RunBase {
    @Option(names = "--run", paramLabel = "RUN") List<String> runOptions;
    @Parameters(arity = "0..*", paramLabel = "RUN") List<String> runArgs;

    @Override
    void run(AdminClient client, Output out) throws Exception {
      List<String> runIds = runIds(runOptions == null ? List.of() : runOptions,
          runArgs == null ? List.of() : runArgs);
      if (runIds.size() < 2) {
        throw new IllegalArgumentException("give two or more runs: runs compare --model M RUN"
            + " RUN... (or --run RUN --run RUN...)");
      }
      List<Run> runs = new ArrayList<>();
      for (String id : runIds) {
        runs.add(client.blocking().getRun(GetRunRequest.newBuilder().setModel(model)
            .setRunId(id).build()));
      }
      if (out.json()) {
        out.message(g -> AdminJsonFormat.compare(g, model, runs), "");
        return;
      }
      com.fasterxml.jackson.databind.ObjectMapper json =
          new com.fasterxml.jackson.databind.ObjectMapper();
      List<Map<String, Object>> params = new ArrayList<>();
      TreeSet<String> paramKeys = new TreeSet<>();
      TreeSet<String> metricKeys = new TreeSet<>();
      for (Run r : runs) {
        @SuppressWarnings("unchecked")
        Map<String, Object> p = json.readValue(r.getParamsJson(), Map.class);
        params.add(p);
        paramKeys.addAll(p.keySet());
        metricKeys.addAll(r.getMetricsMap().keySet());
      }
      List<String> header = new ArrayList<>(List.of(""));
      runs.forEach(r -> header.add(r.getRunId()));
      List<List<String>> rows = new ArrayList<>();
      for (String k : paramKeys) {
        List<String> row = new ArrayList<>(List.of("param " + k));
        params.forEach(p -> row.add(p.containsKey(k) ? String.valueOf(p.get(k)) : ""));
        rows.add(row);
      }
      for (String k : metricKeys) {
        List<String> row = new ArrayList<>(List.of("metric " + k));
        runs.forEach(r -> row.add(r.getMetricsMap().containsKey(k)
            ? last(r.getMetricsMap().get(k)) : ""));
        rows.add(row);
      }
      out.table(header, rows);
    }
  }
}
