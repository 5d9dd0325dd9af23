package io.mlserve.registry.grpc;

import static io.mlserve.registry.grpc.AdminProtos.orEmpty;
import static io.mlserve.registry.grpc.AdminProtos.orNull;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.mlserve.experiments.RunStore;
import io.mlserve.proto.admin.v1.ArtifactChunk;
import io.mlserve.proto.admin.v1.ClearTrafficRequest;
import io.mlserve.proto.admin.v1.CleanupRequest;
import io.mlserve.proto.admin.v1.CleanupResponse;
import io.mlserve.proto.admin.v1.CreateRunRequest;
import io.mlserve.proto.admin.v1.EndRunRequest;
import io.mlserve.proto.admin.v1.Event;
import io.mlserve.proto.admin.v1.GetModelRequest;
import io.mlserve.proto.admin.v1.GetRunRequest;
import io.mlserve.proto.admin.v1.GetTrafficRequest;
import io.mlserve.proto.admin.v1.HistoryRequest;
import io.mlserve.proto.admin.v1.HistoryResponse;
import io.mlserve.proto.admin.v1.ListModelsRequest;
import io.mlserve.proto.admin.v1.ListModelsResponse;
import io.mlserve.proto.admin.v1.ListRunsRequest;
import io.mlserve.proto.admin.v1.ListRunsResponse;
import io.mlserve.proto.admin.v1.ListVersionsResponse;
import io.mlserve.proto.admin.v1.LogMetricRequest;
import io.mlserve.proto.admin.v1.LogParamRequest;
import io.mlserve.proto.admin.v1.ModelInfo;
import io.mlserve.proto.admin.v1.ModelRegistryGrpc;
import io.mlserve.proto.admin.v1.ModelSummary;
import io.mlserve.proto.admin.v1.ModelVersion;
import io.mlserve.proto.admin.v1.PromoteRequest;
import io.mlserve.proto.admin.v1.RegisterChunk;
import io.mlserve.proto.admin.v1.RollbackRequest;
import io.mlserve.proto.admin.v1.Run;
import io.mlserve.proto.admin.v1.SetTrafficRequest;
import io.mlserve.proto.admin.v1.GetShadowRequest;
import io.mlserve.proto.admin.v1.ShadowResponse;
import io.mlserve.proto.admin.v1.StartShadowRequest;
import io.mlserve.proto.admin.v1.StopShadowRequest;
import io.mlserve.proto.admin.v1.StartRolloutRequest;
import io.mlserve.proto.admin.v1.GetRolloutRequest;
import io.mlserve.proto.admin.v1.RolloutActionRequest;
import io.mlserve.proto.admin.v1.RolloutResponse;
import io.mlserve.proto.admin.v1.TrafficResponse;
import io.mlserve.proto.admin.v1.TransitionResponse;
import io.mlserve.proto.admin.v1.VersionRequest;
import io.mlserve.proto.admin.v1.WatchEventsRequest;
import io.mlserve.registry.CleanupResult;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.store.EventFollower;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The {@code mlserve.admin.v1.ModelRegistry} gRPC service: decodes, calls the registry or the
 * run store, encodes; every failure goes through {@link AdminErrors}. Uploads are spooled to a
 * temp file by {@link Uploads}; WatchEvents streams from an {@link EventFollower}, so it sees
 * events from every process that writes the store. Build it with {@link AdminServices}.
 * Thread-safe.
 */
final class AdminGrpcService extends ModelRegistryGrpc.ModelRegistryImplBase {
  private final ModelRegistry registry;
  private final ModelStore store;
  private final RunStore runs;
  private final Uploads uploads;
  private final Duration eventPoll;

  AdminGrpcService(ModelRegistry registry, RunStore runs, Uploads uploads, Duration eventPoll) {
    this.registry = registry;
    this.store = registry.store();
    this.runs = runs;
    this.uploads = uploads;
    this.eventPoll = eventPoll;
  }

  private static <T> void unary(StreamObserver<T> out, Supplier<T> body) {
    AdminErrors.unary(out, body);
  }

  @Override
  public StreamObserver<RegisterChunk> register(StreamObserver<ModelVersion> out) {
    return uploads.register(AdminAuth.caller(), out);
  }

  @Override
  public void listModels(ListModelsRequest req, StreamObserver<ListModelsResponse> out) {
    unary(out, () -> ListModelsResponse.newBuilder()
        .addAllModels(store.modelNames().stream().map(this::summary).toList()).build());
  }

  @Override
  public void getModel(GetModelRequest req, StreamObserver<ModelInfo> out) {
    unary(out, () -> ModelInfo.newBuilder().setSummary(summary(req.getModel()))
        .addAllVersions(versions(req.getModel())).build());
  }

  @Override
  public void listVersions(GetModelRequest req, StreamObserver<ListVersionsResponse> out) {
    unary(out, () -> ListVersionsResponse.newBuilder().addAllVersions(versions(req.getModel()))
        .build());
  }

  private ModelSummary summary(String model) {
    return AdminProtos.summary(store, model);
  }

  private List<ModelVersion> versions(String model) {
    return AdminProtos.versions(registry, model);
  }

  @Override
  public void promote(PromoteRequest req, StreamObserver<TransitionResponse> out) {
    unary(out, () -> AdminProtos.transition(registry.promote(req.getModel(), req.getVersion(),
        Stage.parse(req.getStage()), AdminAuth.caller(), orNull(req.getReason()))));
  }

  @Override
  public void rollback(RollbackRequest req, StreamObserver<TransitionResponse> out) {
    unary(out, () -> AdminProtos.transition(registry.rollback(req.getModel(),
        AdminAuth.caller(), orNull(req.getReason()))));
  }

  @Override
  public void deprecate(VersionRequest req, StreamObserver<TransitionResponse> out) {
    unary(out, () -> AdminProtos.transition(registry.deprecate(req.getModel(),
        req.getVersion(), AdminAuth.caller(), orNull(req.getReason()))));
  }

  @Override
  public void archive(VersionRequest req, StreamObserver<TransitionResponse> out) {
    unary(out, () -> AdminProtos.transition(registry.archive(req.getModel(), req.getVersion(),
        AdminAuth.caller(), orNull(req.getReason()))));
  }

  @Override
  public void restore(VersionRequest req, StreamObserver<TransitionResponse> out) {
    unary(out, () -> AdminProtos.transition(registry.restore(req.getModel(), req.getVersion(),
        AdminAuth.caller(), orNull(req.getReason()))));
  }

  @Override
  public void cleanup(CleanupRequest req, StreamObserver<CleanupResponse> out) {
    unary(out, () -> {
      CleanupResult r = registry.cleanup(orNull(req.getModel()), req.getDryRun(),
          AdminAuth.caller());
      return CleanupResponse.newBuilder().addAllRemoved(r.removed()).setBytes(r.bytes())
          .setDryRun(r.dryRun()).build();
    });
  }

  @Override
  public void history(HistoryRequest req, StreamObserver<HistoryResponse> out) {
    unary(out, () -> HistoryResponse.newBuilder().addAllEntries(registry.history(req.getModel())
        .stream().map(AdminProtos::history).toList()).build());
  }

  @Override
  public void setTraffic(SetTrafficRequest req, StreamObserver<TrafficResponse> out) {
    unary(out, () -> AdminProtos.traffic(req.getModel(), registry.setTraffic(req.getModel(),
        AdminProtos.weights(req.getArmsList()), AdminAuth.caller(), orNull(req.getReason()))));
  }

  @Override
  public void getTraffic(GetTrafficRequest req, StreamObserver<TrafficResponse> out) {
    unary(out, () -> AdminProtos.traffic(req.getModel(),
        registry.deployment(req.getModel()).orElse(null)));
  }

  @Override
  public void clearTraffic(ClearTrafficRequest req, StreamObserver<TrafficResponse> out) {
    unary(out, () -> AdminProtos.traffic(req.getModel(), registry.clearTraffic(req.getModel(),
        AdminAuth.caller(), orNull(req.getReason()))));
  }

  @Override
  public void startRollout(StartRolloutRequest req, StreamObserver<RolloutResponse> out) {
    unary(out, () -> RolloutProtos.response(req.getModel(), registry.startRollout(
        req.getModel(), RolloutProtos.plan(req), AdminAuth.caller(), orNull(req.getReason()))));
  }

  @Override
  public void getRollout(GetRolloutRequest req, StreamObserver<RolloutResponse> out) {
    unary(out, () -> RolloutProtos.response(req.getModel(),
        registry.deployment(req.getModel()).orElse(null)));
  }

  @Override
  public void pauseRollout(RolloutActionRequest req, StreamObserver<RolloutResponse> out) {
    unary(out, () -> RolloutProtos.response(req.getModel(), registry.pauseRollout(
        req.getModel(), AdminAuth.caller(), orNull(req.getReason()))));
  }

  @Override
  public void resumeRollout(RolloutActionRequest req, StreamObserver<RolloutResponse> out) {
    unary(out, () -> RolloutProtos.response(req.getModel(), registry.resumeRollout(
        req.getModel(), AdminAuth.caller(), orNull(req.getReason()))));
  }

  @Override
  public void abortRollout(RolloutActionRequest req, StreamObserver<RolloutResponse> out) {
    unary(out, () -> RolloutProtos.response(req.getModel(), registry.abortRollout(
        req.getModel(), orNull(req.getReason()), AdminAuth.caller())));
  }

  @Override
  public void promoteRollout(RolloutActionRequest req, StreamObserver<RolloutResponse> out) {
    unary(out, () -> RolloutProtos.response(req.getModel(), registry.finishRollout(
        req.getModel(), AdminAuth.caller(), orNull(req.getReason()))));
  }

  @Override
  public void startShadow(StartShadowRequest req, StreamObserver<ShadowResponse> out) {
    unary(out, () -> ShadowProtos.response(registry, req.getModel(),
        ShadowProtos.start(registry, req, AdminAuth.caller())));
  }

  @Override
  public void stopShadow(StopShadowRequest req, StreamObserver<ShadowResponse> out) {
    unary(out, () -> ShadowProtos.response(registry, req.getModel(), registry.stopShadow(
        req.getModel(), AdminAuth.caller(), orNull(req.getReason()))));
  }

  @Override
  public void getShadow(GetShadowRequest req, StreamObserver<ShadowResponse> out) {
    unary(out, () -> ShadowProtos.current(registry, req.getModel()));
  }

  @Override
  public void createRun(CreateRunRequest req, StreamObserver<Run> out) {
    unary(out, () -> AdminProtos.run(runs.create(req.getModel(), orNull(req.getName()),
        orNull(req.getSource()), req.getTagsMap())));
  }

  @Override
  public void logParam(LogParamRequest req, StreamObserver<Run> out) {
    unary(out, () -> AdminProtos.run(runs.logParam(req.getModel(), req.getRunId(), req.getKey(),
        AdminProtos.paramValue(req.getValue()))));
  }

  @Override
  public void logMetric(LogMetricRequest req, StreamObserver<Run> out) {
    unary(out, () -> AdminProtos.run(runs.logMetric(req.getModel(), req.getRunId(),
        req.getKey(), req.getValue(), req.getStep())));
  }

  @Override
  public StreamObserver<ArtifactChunk> logArtifact(StreamObserver<Run> out) {
    return uploads.artifact(out);
  }

  @Override
  public void endRun(EndRunRequest req, StreamObserver<Run> out) {
    unary(out, () -> AdminProtos.run(runs.end(req.getModel(), req.getRunId(),
        orEmpty(req.getStatus()))));
  }

  @Override
  public void listRuns(ListRunsRequest req, StreamObserver<ListRunsResponse> out) {
    unary(out, () -> ListRunsResponse.newBuilder().addAllRuns(runs.list(req.getModel()).stream()
        .map(AdminProtos::run).toList()).build());
  }

  @Override
  public void getRun(GetRunRequest req, StreamObserver<Run> out) {
    unary(out, () -> AdminProtos.run(runs.get(req.getModel(), req.getRunId())));
  }

  /**
   * Streams from the file: the backlog after {@code since_seq}, then live events, in seq order
   * and each once (the follower reads one file, in order). With {@code report_caught_up}, one
   * marker follows the backlog: every event the file held when the follower first read it to
   * the end has been sent. Ends when the client cancels.
   */
  @Override
  public void watchEvents(WatchEventsRequest req, StreamObserver<Event> out) {
    ServerCallStreamObserver<Event> call = (ServerCallStreamObserver<Event>) out;
    long since = Math.max(0, req.getSinceSeq());
    // Both callbacks run on the follower's one thread, so this needs no lock.
    long[] lastSent = {since};
    boolean[] marked = {!req.getReportCaughtUp()};
    EventFollower follower = EventFollower.start(store.root(), since, e -> {
      call.onNext(AdminProtos.event(e));
      lastSent[0] = e.seq();
    }, () -> {
      if (!marked[0]) {
        marked[0] = true;
        call.onNext(Event.newBuilder().setCaughtUp(true).setSeq(lastSent[0]).build());
      }
    }, eventPoll);
    call.setOnCancelHandler(follower::close);
    call.setOnCloseHandler(follower::close);
  }
}
