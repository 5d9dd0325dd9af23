package io.mlserve.registry.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mlserve.evaluation.Evaluation;
import io.mlserve.evaluation.EvaluationJson;
import io.mlserve.evaluation.EvaluationListing;
import io.mlserve.proto.admin.v1.EvaluateProgress;
import io.mlserve.proto.admin.v1.EvaluateRequest;
import io.mlserve.proto.admin.v1.EvaluationsGrpc;
import io.mlserve.proto.admin.v1.GetEvaluationRequest;
import io.mlserve.proto.admin.v1.ListEvaluationsRequest;
import io.mlserve.proto.admin.v1.StoredEvaluation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mlctl evaluate}, {@code mlctl evaluations} and {@code mlctl evaluation show}: offline
 * evaluation of a version against a baseline over a stored dataset, through the
 * {@code mlserve.admin.v1.Evaluations} service: a server's with {@code --server}, else one run
 * in this process over the store ({@code --store}), which needs the server's engine on the
 * classpath ({@code bin/mlctl} puts it there). {@code --output json} prints the evaluation as
 * the store and the REST routes hold it. Not thread-safe (one run).
 */
final class EvaluateCommands {
  private EvaluateCommands() {}

  /** Runs {@code body} with the Evaluations stub, explaining a missing service. */
  private static <T> T remote(MlctlMain main, AdminClient client, Callable<T> body)
      throws Exception {
    try {
      return body.call();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        throw new IllegalStateException(client.isLocal()
            ? "evaluation with --store needs the server's engine on mlctl's classpath: run"
                + " mlctl through bin/mlctl, or evaluate on a server with --server"
            : "the server at " + main.server + " does not offer evaluation");
      }
      throw e;
    }
  }

  @Command(name = "evaluate", description = "Run a version and its baseline over a stored"
      + " dataset through the engine; store and print the metrics, deltas and latency.")
  static final class Evaluate implements Callable<Integer> {
    @ParentCommand MlctlMain main;
    @Option(names = "--model", required = true) String model;
    @Option(names = "--version", required = true, description = "the candidate version")
    String version;
    @Option(names = "--dataset", required = true, description = "one of the model's datasets"
        + " (`mlctl dataset list`)") String dataset;
    @Option(names = "--baseline", paramLabel = "production|VERSION|none", description =
        "compare with (default: production, i.e. the Production version unless it is the"
            + " candidate)") String baseline;
    @Option(names = "--batch-size", paramLabel = "N", description = "rows per engine call"
        + " (default: 8192)") Integer batchSize;
    @Option(names = "--kind", paramLabel = "regression|classification", description =
        "the metrics (default: chosen from the labels and outputs)") String kind;
    @Option(names = "--scored-output", paramLabel = "NAME", description = "the model output"
        + " scored (default: the first)") String scoredOutput;

    @Override
    public Integer call() throws Exception {
      Output out = main.output();
      EvaluateRequest.Builder req = EvaluateRequest.newBuilder().setModel(model)
          .setVersion(version).setDataset(dataset)
          .setBaseline(baseline == null ? "" : baseline)
          .setKind(kind == null ? "" : kind)
          .setOutput(scoredOutput == null ? "" : scoredOutput);
      if (batchSize != null) {
        if (batchSize < 1) {
          throw new IllegalArgumentException("--batch-size must be at least 1, got "
              + batchSize);
        }
        req.setBatchSize(batchSize);
      }
      try (AdminClient client = main.client()) {
        ProgressBar bar = new ProgressBar(main.err, model + ":" + version,
            ProgressBar.stderrIsTerminal());
        StoredEvaluation stored = remote(main, client, () -> {
          Iterator<EvaluateProgress> it = EvaluationsGrpc.newBlockingStub(client.channel())
              .evaluate(req.build());
          StoredEvaluation last = null;
          while (it.hasNext()) {
            EvaluateProgress p = it.next();
            bar.update(p.getRowsDone(), p.getTotalRows());
            if (p.hasEvaluation()) {
              last = p.getEvaluation();
            }
          }
          return last;
        });
        bar.finish();
        if (stored == null) {
          throw new IllegalStateException("the server ended the evaluation without a result");
        }
        print(out, stored, reportLocation(main, client, model, version, stored.getId()));
      }
      return 0;
    }
  }

  @Command(name = "evaluations", description = "List a version's evaluations, newest first.")
  static final class ListEvaluations implements Callable<Integer> {
    @ParentCommand MlctlMain main;
    @Option(names = "--model", required = true) String model;
    @Option(names = "--version", required = true) String version;
    @Option(names = "--limit", paramLabel = "N", description = "at most this many (default:"
        + " 20)") Integer limit;

    @Override
    public Integer call() throws Exception {
      Output out = main.output();
      try (AdminClient client = main.client()) {
        List<Evaluation> list = new ArrayList<>();
        remote(main, client, () -> {
          for (StoredEvaluation s : EvaluationsGrpc.newBlockingStub(client.channel())
              .listEvaluations(ListEvaluationsRequest.newBuilder().setModel(model)
                  .setVersion(version).setLimit(limit == null ? 0 : limit).build())
              .getEvaluationsList()) {
            list.add(EvaluationJson.decode(s.getJson().getBytes(StandardCharsets.UTF_8)));
          }
          return null;
        });
        if (out.json()) {
          main.out.print(new String(EvaluationListing.json(list), StandardCharsets.UTF_8));
        } else if (list.isEmpty()) {
          out.line(model + ":" + version + " has no evaluations");
        } else {
          out.line(EvaluationTables.listing(list));
        }
      }
      return 0;
    }
  }

  @Command(name = "evaluation", description = "Stored evaluations.",
      subcommands = {Show.class})
  static final class Group {
    @ParentCommand MlctlMain main;
  }

  @Command(name = "show", description = "Print one stored evaluation.")
  static final class Show implements Callable<Integer> {
    @ParentCommand Group group;
    @Option(names = "--model", required = true) String model;
    @Option(names = "--version", required = true) String version;
    @Option(names = "--id", required = true) String id;

    @Override
    public Integer call() throws Exception {
      MlctlMain main = group.main;
      Output out = main.output();
      try (AdminClient client = main.client()) {
        StoredEvaluation s = remote(main, client, () -> EvaluationsGrpc.newBlockingStub(
            client.channel()).getEvaluation(GetEvaluationRequest.newBuilder().setModel(model)
            .setVersion(version).setId(id).build()));
        print(out, s, reportLocation(main, client, model, version, s.getId()));
      }
      return 0;
    }
  }

  private static void print(Output out, StoredEvaluation s, String report) {
    if (out.json()) {
      // Exactly the stored JSON (what GET .../evaluations/{id} answers), newline-terminated.
      String json = s.getJson();
      out.line(json.endsWith("\n") ? json.substring(0, json.length() - 1) : json);
      return;
    }
    Evaluation e = EvaluationJson.decode(s.getJson().getBytes(StandardCharsets.UTF_8));
    out.line(EvaluationTables.evaluation(e));
    out.line("report: " + report);
  }

  /** Where the HTML report is: a file of a local store, else the server's REST route. */
  private static String reportLocation(MlctlMain main, AdminClient client, String model,
      String version, String id) {
    String route = "/api/v1/models/" + model + "/versions/" + version + "/evaluations/" + id
        + "/report";
    if (client.isLocal()) {
      Path root = main.store != null ? main.store
          : Path.of(System.getenv().getOrDefault("MLSERVE_STORE", "models"));
      return root.resolve(model).resolve("versions").resolve(version).resolve("evaluations")
          .resolve(id + ".html").toString();
    }
    return "GET " + route + " on the server's HTTP port";
  }
}
