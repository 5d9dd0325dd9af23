package io.mlserve.registry.cli;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.admin.v1.CleanupRequest;
import io.mlserve.proto.admin.v1.CleanupResponse;
import io.mlserve.proto.admin.v1.GetModelRequest;
import io.mlserve.proto.admin.v1.GetReferenceRequest;
import io.mlserve.proto.admin.v1.HistoryEntry;
import io.mlserve.proto.admin.v1.HistoryRequest;
import io.mlserve.proto.admin.v1.HistoryResponse;
import io.mlserve.proto.admin.v1.ListModelsRequest;
import io.mlserve.proto.admin.v1.ListModelsResponse;
import io.mlserve.proto.admin.v1.ModelInfo;
import io.mlserve.proto.admin.v1.ModelSummary;
import io.mlserve.proto.admin.v1.ModelVersion;
import io.mlserve.proto.admin.v1.PromoteRequest;
import io.mlserve.proto.admin.v1.ReferencesGrpc;
import io.mlserve.proto.admin.v1.RegisterChunk;
import io.mlserve.proto.admin.v1.RegisterHeader;
import io.mlserve.proto.admin.v1.RollbackRequest;
import io.mlserve.proto.admin.v1.Signature;
import io.mlserve.proto.admin.v1.TensorSpec;
import io.mlserve.proto.admin.v1.TransitionResponse;
import io.mlserve.proto.admin.v1.VersionRequest;
import io.mlserve.registry.Sha256;
import io.mlserve.registry.grpc.AdminJsonFormat;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** The model and version commands of mlctl. */
final class ModelCommands {
  private ModelCommands() {}

  abstract static class Base implements Callable<Integer> {
    @ParentCommand MlctlMain main;

    @Override
    public Integer call() throws Exception {
      Output out = main.output();
      try (AdminClient client = main.client()) {
        run(client, out);
      }
      return 0;
    }

    abstract void run(AdminClient client, Output out) throws Exception;
  }

  static void transition(Output out, TransitionResponse t) {
    out.message(g -> AdminJsonFormat.transition(g, t), t.getModel() + ":" + t.getVersion() + " "
        + t.getFromStage() + " -> " + t.getToStage() + (t.getPreviousVersion().isEmpty() ? ""
            : " (previous: " + t.getPreviousVersion() + ")"));
  }

  @Command(name = "register", description = "Register a version (Development) from a file or a"
      + " run's artifact.")
  static final class Register extends Base {
    @Option(names = "--model", required = true) String model;
    @Option(names = "--version", description = "semver, e.g. 1.2.0") String version;
    @Option(names = "--bump", description = "patch|minor|major from the highest version")
    String bump;
    @Option(names = "--artifact", paramLabel = "FILE") Path artifact;
    @Option(names = "--run", paramLabel = "ID", description = "lineage; its artifact if no"
        + " --artifact") String run;
    @Option(names = "--format", description = "torchscript|onnx (default: from the file name)")
    String format;
    @Option(names = "--signature", paramLabel = "FILE", description = "model.json (its"
        + " signature and serving are used); default: the latest version's")
    Path signature;
    @Option(names = "--examples", paramLabel = "FILE", description = "examples.json")
    Path examples;
    @Option(names = "--description-file", paramLabel = "F", description = "markdown model card")
    Path descriptionFile;
    @Option(names = "--reference", paramLabel = "NAME|run:ID/PATH", description = "compute the"
        + " version's drift reference profile from a dataset of the model or a dataset file"
        + " among a run's artifacts, before it becomes visible")
    String reference;

    @Override
    void run(AdminClient client, Output out) throws Exception {
      RegisterHeader.Builder h = RegisterHeader.newBuilder().setModel(model);
      if (version != null) {
        h.setVersion(version);
      }
      if (bump != null) {
        h.setBump(bump);
      }
      if (run != null) {
        h.setRunId(run);
      }
      if (format != null) {
        h.setFormat(format);
      }
      Path manifestFile = signature;
      if (manifestFile == null && artifact != null && artifact.toAbsolutePath().getParent() != null
          && Files.isRegularFile(artifact.toAbsolutePath().getParent().resolve("model.json"))) {
        manifestFile = artifact.toAbsolutePath().getParent().resolve("model.json");
      }
      if (manifestFile != null) {
        var m = io.mlserve.store.ManifestCodec.read(manifestFile);
        Signature.Builder s = Signature.newBuilder();
        m.signature().inputs().forEach(t -> s.addInputs(tensor(t)));
        m.signature().outputs().forEach(t -> s.addOutputs(tensor(t)));
        h.setSignature(s);
        h.setServingJson(new com.fasterxml.jackson.databind.ObjectMapper()
            .writeValueAsString(m.serving()));
      }
      if (descriptionFile != null) {
        h.setDescription(Files.readString(descriptionFile));
      }
      Path ex = examples;
      if (ex == null && artifact != null && artifact.toAbsolutePath().getParent() != null
          && Files.isRegularFile(artifact.toAbsolutePath().getParent().resolve("examples.json"))) {
        ex = artifact.toAbsolutePath().getParent().resolve("examples.json");
      }
      if (ex != null) {
        h.setExamplesJson(ByteString.copyFrom(Files.readAllBytes(ex)));
      }
      if (artifact != null) {
        h.setSha256(Sha256.hexOfFile(artifact));
      }
      if (reference != null) {
        h.setReference(reference);
      }
      CompletableFuture<ModelVersion> result = new CompletableFuture<>();
      StreamObserver<RegisterChunk> up = client.async().register(observer(result));
      up.onNext(RegisterChunk.newBuilder().setHeader(h).build());
      if (artifact != null) {
        try (InputStream in = Files.newInputStream(artifact)) {
          byte[] buf = new byte[1 << 20];
          for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0; ) {
            up.onNext(RegisterChunk.newBuilder().setData(ByteString.copyFrom(buf, 0, n)).build());
          }
        }
      }
      up.onCompleted();
      ModelVersion v = Streams.await(result);
      out.message(g -> AdminJsonFormat.version(g, v), "registered " + v.getModel() + ":"
          + v.getVersion() + " (" + v.getStage() + ", sha256 " + v.getSha256()
          + ")\nvalidation: " + v.getValidation() + (reference == null ? ""
              : "\nreference: " + ReferenceCommands.summary(ReferencesGrpc.newBlockingStub(
                  client.channel()).getReference(GetReferenceRequest.newBuilder()
                      .setModel(v.getModel()).setVersion(v.getVersion()).build()))));
    }
  }

  static TensorSpec tensor(io.mlserve.store.TensorSpec t) {
    return TensorSpec.newBuilder().setName(t.name()).setDatatype(t.datatype())
        .addAllShape(t.shape()).build();
  }

  static <T> StreamObserver<T> observer(CompletableFuture<T> f) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        f.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        f.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        f.completeExceptionally(new IllegalStateException("no response"));
      }
    };
  }

  @Command(name = "promote", description = "Move a version to Staging or Production.")
  static final class Promote extends Base {
    @Option(names = "--model", required = true) String model;
    @Option(names = "--version", required = true) String version;
    @Option(names = "--stage", required = true, description = "Staging|Production") String stage;
    @Option(names = "--reason") String reason;

    @Override
    void run(AdminClient client, Output out) {
      transition(out, client.blocking().promote(PromoteRequest.newBuilder().setModel(model)
          .setVersion(version).setStage(stage).setReason(reason == null ? "" : reason).build()));
    }
  }

  @Command(name = "rollback", description = "Return Production to the previous Production"
      + " version (repeatable).")
  static final class Rollback extends Base {
    @Option(names = "--model", required = true) String model;
    @Option(names = "--reason") String reason;

    @Override
    void run(AdminClient client, Output out) {
      transition(out, client.blocking().rollback(RollbackRequest.newBuilder().setModel(model)
          .setReason(reason == null ? "" : reason).build()));
    }
  }

  abstract static class VersionCommand extends Base {
    @Option(names = "--model", required = true) String model;
    @Option(names = "--version", required = true) String version;
    @Option(names = "--reason") String reason;

    VersionRequest request() {
      return VersionRequest.newBuilder().setModel(model).setVersion(version)
          .setReason(reason == null ? "" : reason).build();
    }
  }

  @Command(name = "deprecate", description = "Move a version to Deprecated.")
  static final class Deprecate extends VersionCommand {
    @Override
    void run(AdminClient client, Output out) {
      transition(out, client.blocking().deprecate(request()));
    }
  }

  @Command(name = "archive", description = "Move a version to Archived (not loadable).")
  static final class Archive extends VersionCommand {
    @Override
    void run(AdminClient client, Output out) {
      transition(out, client.blocking().archive(request()));
    }
  }

  @Command(name = "restore", description = "Bring an Archived version back to Deprecated.")
  static final class Restore extends VersionCommand {
    @Override
    void run(AdminClient client, Output out) {
      transition(out, client.blocking().restore(request()));
    }
  }

  @Command(name = "cleanup", description = "Remove archived, unreferenced versions.")
  static final class Cleanup extends Base {
    @Option(names = "--model", description = "one model (default: all)") String model;
    @Option(names = "--dry-run", description = "only list what would be removed")
    boolean dryRun;

    @Override
    void run(AdminClient client, Output out) {
      CleanupResponse r = client.blocking().cleanup(CleanupRequest.newBuilder()
          .setModel(model == null ? "" : model).setDryRun(dryRun).build());
      StringBuilder sb = new StringBuilder(dryRun ? "would remove" : "removed");
      sb.append(' ').append(r.getRemovedCount()).append(" (").append(r.getBytes())
          .append(" bytes)");
      r.getRemovedList().forEach(x -> sb.append("\n  ").append(x));
      out.message(g -> AdminJsonFormat.cleanup(g, r), sb.toString());
    }
  }

  @Command(name = "list", description = "List models.")
  static final class ListModels extends Base {
    @Override
    void run(AdminClient client, Output out) {
      ListModelsResponse r = client.blocking().listModels(ListModelsRequest.getDefaultInstance());
      if (out.json()) {
        out.message(g -> AdminJsonFormat.models(g, r), "");
        return;
      }
      List<List<String>> rows = new ArrayList<>();
      for (ModelSummary m : r.getModelsList()) {
        rows.add(List.of(m.getName(), m.getProductionVersion(), m.getStagingVersion(),
            m.getLatestVersion(), String.valueOf(m.getVersionCount())));
      }
      out.table(List.of("MODEL", "PRODUCTION", "STAGING", "LATEST", "VERSIONS"), rows);
    }
  }

  @Command(name = "show", description = "Show a model's versions and stages.")
  static final class Show extends Base {
    @Option(names = "--model", required = true) String model;

    @Override
    void run(AdminClient client, Output out) {
      ModelInfo info = client.blocking().getModel(GetModelRequest.newBuilder().setModel(model)
          .build());
      if (out.json()) {
        out.message(g -> AdminJsonFormat.model(g, info, null), "");
        return;
      }
      Map<String, List<String>> approval = ApprovalCommands.approvalColumns(client, model);
      List<List<String>> rows = new ArrayList<>();
      for (ModelVersion v : info.getVersionsList()) {
        List<String> row = new ArrayList<>(List.of(v.getVersion(), v.getStage(), v.getFormat(),
            v.getRunId(), Output.time(v.getCreatedAtMs()), v.getSha256().length() > 12
                ? v.getSha256().substring(0, 12) : v.getSha256()));
        row.addAll(approval.isEmpty() ? List.of()
            : approval.getOrDefault(v.getVersion(), List.of("", "")));
        rows.add(row);
      }
      out.line("model " + model);
      List<String> header = new ArrayList<>(List.of("VERSION", "STAGE", "FORMAT", "RUN",
          "CREATED", "SHA256"));
      header.addAll(approval.isEmpty() ? List.of() : List.of("APPROVAL", "VERDICT"));
      out.table(header, rows);
    }
  }

  @Command(name = "history", description = "Stage transitions: what was where, when, by whom.")
  static final class History extends Base {
    @Option(names = "--model", required = true) String model;

    @Override
    void run(AdminClient client, Output out) {
      HistoryResponse r = client.blocking().history(HistoryRequest.newBuilder().setModel(model)
          .build());
      if (out.json()) {
        out.message(g -> AdminJsonFormat.history(g, model, r.getEntriesList()), "");
        return;
      }
      List<List<String>> rows = new ArrayList<>();
      for (HistoryEntry e : r.getEntriesList()) {
        rows.add(List.of(Output.time(e.getTimestampMs()), e.getVersion(), e.getFromStage(),
            e.getToStage(), e.getActor(), e.getReason()));
      }
      out.table(List.of("TIME", "VERSION", "FROM", "TO", "BY", "REASON"), rows);
    }
  }
}
