package io.mlserve.registry.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.admin.v1.CleanupRequest;
import io.mlserve.proto.admin.v1.CreateRunRequest;
import io.mlserve.proto.admin.v1.Event;
import io.mlserve.proto.admin.v1.GetModelRequest;
import io.mlserve.proto.admin.v1.HistoryRequest;
import io.mlserve.proto.admin.v1.ListModelsRequest;
import io.mlserve.proto.admin.v1.LogMetricRequest;
import io.mlserve.proto.admin.v1.LogParamRequest;
import io.mlserve.proto.admin.v1.ModelRegistryGrpc;
import io.mlserve.proto.admin.v1.ModelVersion;
import io.mlserve.proto.admin.v1.PromoteRequest;
import io.mlserve.proto.admin.v1.RegisterChunk;
import io.mlserve.proto.admin.v1.RegisterHeader;
import io.mlserve.proto.admin.v1.Signature;
import io.mlserve.proto.admin.v1.TensorSpec;
import io.mlserve.proto.admin.v1.WatchEventsRequest;
import io.mlserve.proto.admin.v1.ClearTrafficRequest;
import io.mlserve.proto.admin.v1.GetTrafficRequest;
import io.mlserve.proto.admin.v1.SetTrafficRequest;
import io.mlserve.proto.admin.v1.TrafficArm;
import io.mlserve.proto.admin.v1.TrafficResponse;
import io.mlserve.proto.admin.v1.VersionRequest;
import io.mlserve.proto.admin.v1.GetShadowRequest;
import io.mlserve.proto.admin.v1.Shadow;
import io.mlserve.proto.admin.v1.ShadowResponse;
import io.mlserve.proto.admin.v1.StartShadowRequest;
import io.mlserve.proto.admin.v1.StopShadowRequest;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminGrpcServiceTest {
  private static final String TOKEN = "s3cret";
  private static final Signature SIG = Signature.newBuilder()
      .addInputs(TensorSpec.newBuilder().setName("x").setDatatype("FP32").addShape(-1).addShape(2))
      .addOutputs(TensorSpec.newBuilder().setName("y").setDatatype("FP32").addShape(-1)
          .addShape(2)).build();

  @TempDir Path tmp;
  private EventLog events;
  private Server server;
  private ManagedChannel channel;
  private ModelStore store;
  private volatile String validatorFailure;

  @BeforeEach
  void setUp() throws Exception {
    Path root = tmp.resolve("store");
    store = ModelStore.open(root);
    events = EventLog.open(root);
    ArtifactValidator validator = (dir, m) -> {
      if (validatorFailure != null) {
        throw new IllegalStateException(validatorFailure);
      }
    };
    ModelRegistry registry = new ModelRegistry(store, events, validator, Clock.systemUTC());
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(AdminServices.create(registry, store, events, TOKEN, Clock.systemUTC(), 1000,
            "test").service())
        .build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void tearDown() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    events.close();
  }

  private ModelRegistryGrpc.ModelRegistryBlockingStub blocking(String token, String actor) {
    Metadata md = new Metadata();
    if (token != null) {
      md.put(AdminAuth.AUTHORIZATION, "Bearer " + token);
    }
    if (actor != null) {
      md.put(AdminAuth.ACTOR, actor);
    }
    return ModelRegistryGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
  }

  private ModelVersion register(String token, String version, byte[]... chunks)
      throws Exception {
    return upload(token, "carol", RegisterHeader.newBuilder().setModel("m").setVersion(version)
        .setSignature(SIG).setDescription("# m\nan MLP").build(), chunks);
  }

  /** A Register call: {@code header}, then {@code chunks}; the version or the call's error. */
  private ModelVersion upload(String token, String actorOrNull, RegisterHeader header,
      byte[]... chunks) throws Exception {
    Metadata md = new Metadata();
    if (token != null) {
      md.put(AdminAuth.AUTHORIZATION, "Bearer " + token);
    }
    if (actorOrNull != null) {
      md.put(AdminAuth.ACTOR, actorOrNull);
    }
    CompletableFuture<ModelVersion> f = new CompletableFuture<>();
    StreamObserver<RegisterChunk> up = ModelRegistryGrpc.newStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
        .register(new StreamObserver<>() {
          @Override
          public void onNext(ModelVersion v) {
            f.complete(v);
          }

          @Override
          public void onError(Throwable t) {
            f.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    up.onNext(RegisterChunk.newBuilder().setHeader(header).build());
    for (byte[] c : chunks) {
      up.onNext(RegisterChunk.newBuilder().setData(ByteString.copyFrom(c)).build());
    }
    up.onCompleted();
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  private static Status.Code code(Exception e) {
    return ((StatusRuntimeException) e).getStatus().getCode();
  }

  @Test
  void registerStreamsChunksAndRecordsTheCaller() throws Exception {
    ModelVersion v = register(TOKEN, "1.0.0", new byte[] {1, 2, 3}, new byte[] {4});
    assertEquals("Development", v.getStage());
    assertEquals(64, v.getSha256().length());
    assertEquals("test", v.getValidation());
    assertEquals(4, Files.size(store.artifactPath("m", "1.0.0")));
    assertEquals("# m\nan MLP", Files.readString(store.versionDir("m", "1.0.0")
        .resolve("MODEL_CARD.md")));
    assertEquals("carol", blocking(null, null).history(HistoryRequest.newBuilder()
        .setModel("m").build()).getEntries(0).getActor());
  }

  @Test
  void twoAuthorizationValuesAreRefusedEvenWhenOneMatches() throws Exception {
    Metadata md = new Metadata();
    md.put(AdminAuth.AUTHORIZATION, "Bearer wrong");
    md.put(AdminAuth.AUTHORIZATION, "Bearer " + TOKEN);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> ModelRegistryGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
            .cleanup(CleanupRequest.newBuilder().setDryRun(true).build()));
    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("exactly one authorization"),
        e.getStatus().getDescription());
  }

  @Test
  void mutationsNeedTheTokenAndReadsDoNot() throws Exception {
    Exception e = assertThrows(Exception.class, () -> register(null, "1.0.0", new byte[] {1}));
    assertEquals(Status.Code.UNAUTHENTICATED, code(e));
    e = assertThrows(StatusRuntimeException.class, () -> register("wrong", "1.0.0",
        new byte[] {1}));
    assertEquals(Status.Code.UNAUTHENTICATED, code(e));
    assertFalse(store.hasModel("m"));
    e = assertThrows(StatusRuntimeException.class, () -> blocking(null, null).promote(
        PromoteRequest.newBuilder().setModel("m").setVersion("1.0.0").setStage("Staging")
            .build()));
    assertEquals(Status.Code.UNAUTHENTICATED, code(e));
    assertEquals(0, blocking(null, null).listModels(ListModelsRequest.getDefaultInstance())
        .getModelsCount());
  }

  private static SetTrafficRequest split(String model, Object... versionWeight) {
    SetTrafficRequest.Builder b = SetTrafficRequest.newBuilder().setModel(model)
        .setReason("A/B");
    for (int i = 0; i < versionWeight.length; i += 2) {
      b.addArms(TrafficArm.newBuilder().setVersion((String) versionWeight[i])
          .setWeight(((Number) versionWeight[i + 1]).doubleValue()));
    }
    return b.build();
  }

  @Test
  void trafficCallsSetShowAndClearTheSplitAndMapErrors() throws Exception {
    register(TOKEN, "1.0.0", new byte[] {1});
    register(TOKEN, "1.1.0", new byte[] {1});
    var admin = blocking(TOKEN, "dave");
    var anonymous = blocking(null, null);
    assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
        () -> anonymous.setTraffic(split("m", "1.0.0", 100))).getStatus().getCode());
    assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
        () -> anonymous.clearTraffic(ClearTrafficRequest.newBuilder().setModel("m").build()))
        .getStatus().getCode());
    TrafficResponse none = anonymous.getTraffic(GetTrafficRequest.newBuilder().setModel("m")
        .build());
    assertFalse(none.getHasSplit());
    assertEquals(0, none.getSeq());

    TrafficResponse t = admin.setTraffic(split("m", "1.0.0", 90, "1.1.0", 10));
    assertTrue(t.getHasSplit());
    assertEquals("dave", t.getActor());
    assertEquals("A/B", t.getReason());
    assertEquals(List.of("1.0.0", "1.1.0"), t.getArmsList().stream()
        .map(TrafficArm::getVersion).toList());
    assertEquals(1000, t.getArms(1).getBuckets());
    assertEquals(t, anonymous.getTraffic(GetTrafficRequest.newBuilder().setModel("m").build()));

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> admin.setTraffic(split("m", "1.0.0", 90, "1.1.0", 20)));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("traffic split of m: the weights add up to 110, not 100: 1.0.0=90,1.1.0=20",
        e.getStatus().getDescription());
    e = assertThrows(StatusRuntimeException.class, () -> admin.setTraffic(split("m", "", 100)));
    assertEquals("every arm of a split needs a version", e.getStatus().getDescription());
    e = assertThrows(StatusRuntimeException.class,
        () -> admin.setTraffic(split("m", "1.0.0", 50, "1.0.0", 50)));
    assertEquals("version 1.0.0 is named twice in the split", e.getStatus().getDescription());
    e = assertThrows(StatusRuntimeException.class,
        () -> admin.setTraffic(split("nope", "1.0.0", 100)));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    e = assertThrows(StatusRuntimeException.class, () -> admin.archive(VersionRequest
        .newBuilder().setModel("m").setVersion("1.1.0").build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertEquals("version 1.1.0 takes 10% of m's traffic; change or clear the split first",
        e.getStatus().getDescription());

    TrafficResponse cleared = admin.clearTraffic(ClearTrafficRequest.newBuilder().setModel("m")
        .setReason("done").build());
    assertFalse(cleared.getHasSplit());
    assertEquals(0, cleared.getArmsCount());
    assertTrue(cleared.getSeq() > t.getSeq());
  }

  private static StartShadowRequest.Builder shadow(String version) {
    return StartShadowRequest.newBuilder().setModel("m").setVersion(version);
  }

  @Test
  void shadowCallsStartShowAndStopTheShadowWithTheToken() throws Exception {
    for (String v : List.of("1.0.0", "1.1.0", "1.2.0")) {
      register(TOKEN, v, new byte[] {1});
    }
    var admin = blocking(TOKEN, "erin");
    var anonymous = blocking(null, null);
    admin.promote(PromoteRequest.newBuilder().setModel("m").setVersion("1.0.0")
        .setStage("Production").build());
    GetShadowRequest get = GetShadowRequest.newBuilder().setModel("m").build();
    assertFalse(anonymous.getShadow(get).getHasShadow());
    assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
        () -> anonymous.startShadow(shadow("1.1.0").build())).getStatus().getCode());
    assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
        () -> anonymous.stopShadow(StopShadowRequest.newBuilder().setModel("m").build()))
        .getStatus().getCode());

    ShadowResponse started = admin.startShadow(shadow("1.1.0").setSample(0.25)
        .setReason("compare 1.1.0").build());
    assertTrue(started.getHasShadow());
    Shadow s = started.getShadow();
    assertEquals("1.1.0", s.getVersion());
    assertEquals(0.25, s.getSample());
    assertEquals(1e-4, s.getAtol(), "unset tolerances take the defaults");
    assertEquals(1e-3, s.getRtol());
    assertTrue(s.getStartedAtMs() > 0);
    assertEquals("erin", s.getActor());
    assertEquals("compare 1.1.0", s.getReason());
    assertEquals(started, anonymous.getShadow(get));
    assertTrue(Files.exists(store.root().resolve("m/deployment.json")));

    // A later split rewrites the record; the shadow still says who started it and why.
    blocking(TOKEN, "frank").setTraffic(split("m", "1.0.0", 90, "1.2.0", 10));
    ShadowResponse after = anonymous.getShadow(get);
    assertEquals("frank", after.getActor());
    assertEquals(s, after.getShadow());
    assertEquals("""
        {"model":"m","shadow":{"version":"1.1.0","sample":0.25,"atol":1.0E-4,"rtol":0.001,\
        "started_at_ms":%d,"actor":"erin","reason":"compare 1.1.0"},"seq":%d,"actor":"frank",\
        "reason":"A/B"}""".formatted(s.getStartedAtMs(), after.getSeq()),
        AdminJsonFormat.toString(g -> ShadowProtos.json(g, after), false));

    ShadowResponse stopped = admin.stopShadow(StopShadowRequest.newBuilder().setModel("m")
        .setReason("done").build());
    assertFalse(stopped.getHasShadow());
    assertEquals("erin", stopped.getActor());
    assertEquals("done", stopped.getReason());
    assertFalse(anonymous.getShadow(get).getHasShadow());
    assertEquals(List.of("1.1.0 (sample 0.25, atol 1.0E-4, rtol 0.001)", "none"),
        anonymous.history(HistoryRequest.newBuilder().setModel("m").build()).getEntriesList()
            .stream().filter(h -> h.getVersion().equals("shadow")).map(h -> h.getToStage())
            .toList());
  }

  @Test
  void badShadowRequestsSayWhatIsWrongAndWriteNothing() throws Exception {
    register(TOKEN, "1.0.0", new byte[] {1});
    register(TOKEN, "1.1.0", new byte[] {1});
    var admin = blocking(TOKEN, "erin");
    admin.promote(PromoteRequest.newBuilder().setModel("m").setVersion("1.0.0")
        .setStage("Production").build());
    long seq = events.lastSeq();
    Object[][] refusals = {
        {shadow("1.1.0").setSample(2), Status.Code.INVALID_ARGUMENT,
            "shadow sample must be in (0, 1], got 2.0"},
        {shadow("1.1.0").setSample(0), Status.Code.INVALID_ARGUMENT,
            "shadow sample must be in (0, 1], got 0.0"},
        {shadow("1.1.0").setAtol(-1), Status.Code.INVALID_ARGUMENT,
            "shadow atol must be a finite number >= 0, got -1.0"},
        {shadow(""), Status.Code.INVALID_ARGUMENT, "a shadow needs a version: the version whose"
            + " answers are compared with the primary's"},
        {shadow("9.9.9"), Status.Code.NOT_FOUND, "model 'm' has no version '9.9.9'"},
        {shadow("1.0.0"), Status.Code.FAILED_PRECONDITION, "m:1.0.0 is the Production version;"
            + " a shadow is compared with Production, so it must be another version"},
        {shadow("1.1.0").setModel("nope"), Status.Code.NOT_FOUND, "model 'nope' not found"}};
    for (Object[] r : refusals) {
      StartShadowRequest req = ((StartShadowRequest.Builder) r[0]).build();
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> admin.startShadow(req));
      assertEquals(r[1], e.getStatus().getCode(), req.toString());
      assertEquals(r[2], e.getStatus().getDescription());
    }
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> blocking(null, null).getShadow(GetShadowRequest.newBuilder().setModel("nope")
            .build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertEquals(seq, events.lastSeq(), "a refused start appends no event");
    assertFalse(Files.exists(store.root().resolve("m/deployment.json")));
  }

  @Test
  void errorsMapToStatusCodes() throws Exception {
    register(TOKEN, "1.0.0", new byte[] {1});
    var admin = blocking(TOKEN, "dave");
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> admin.getModel(GetModelRequest.newBuilder().setModel("nope").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    e = assertThrows(StatusRuntimeException.class, () -> admin.promote(PromoteRequest
        .newBuilder().setModel("m").setVersion("1.0.0").setStage("Archived").build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    e = assertThrows(StatusRuntimeException.class, () -> admin.promote(PromoteRequest
        .newBuilder().setModel("m").setVersion("1.0.0").setStage("Nowhere").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    Exception dup = assertThrows(StatusRuntimeException.class,
        () -> register(TOKEN, "1.0.0", new byte[] {1}));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(dup));
    Exception traversal = assertThrows(StatusRuntimeException.class,
        () -> register(TOKEN, "../../x", new byte[] {1}));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(traversal));
  }

  @Test
  void oversizedOrInvalidUploadsLeaveNothingBehind() throws Exception {
    Exception e = assertThrows(StatusRuntimeException.class,
        () -> register(TOKEN, "1.0.0", new byte[600], new byte[600]));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, code(e));
    validatorFailure = "outputs are NaN";
    e = assertThrows(StatusRuntimeException.class, () -> register(TOKEN, "1.0.0",
        new byte[] {1}));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(e));
    assertTrue(e.getMessage().contains("outputs are NaN"), e.getMessage());
    assertFalse(store.hasModel("m"));
    try (Stream<Path> s = Files.walk(tmp.resolve("store"))) {
      assertEquals(List.of(), s.filter(p -> p.toString().contains(".tmp-")).toList());
    }
  }

  @Test
  void runsApiWritesTheRunAndRegisterCopiesLineage() throws Exception {
    var admin = blocking(TOKEN, "erin");
    String runId = admin.createRun(CreateRunRequest.newBuilder().setModel("m").build())
        .getRunId();
    admin.logParam(LogParamRequest.newBuilder().setModel("m").setRunId(runId).setKey("lr")
        .setValue("0.01").build());
    var run = admin.logMetric(LogMetricRequest.newBuilder().setModel("m").setRunId(runId)
        .setKey("rmse").setValue(0.25).setStep(3).build());
    assertEquals("{\"lr\":0.01}", run.getParamsJson());
    assertEquals(3, run.getMetricsOrThrow("rmse").getPoints(0).getStep());

    Path art = store.root().resolve("m/experiments/run_" + runId + "/artifacts/model.pt");
    Files.write(art, new byte[] {7, 7});
    ModelVersion v = upload(TOKEN, null, RegisterHeader.newBuilder().setModel("m")
        .setBump("minor").setRunId(runId).setSignature(SIG).build());
    assertEquals("0.1.0", v.getVersion());
    assertEquals(runId, v.getRunId());
    var manifest = store.manifest("m", "0.1.0");
    assertEquals(0.01, manifest.params().get("lr"));
    assertEquals(0.25, manifest.metrics().get("rmse"));
  }

  /** Starts a WatchEvents call that adds what it receives to {@code q}; cancel to end it. */
  private Context.CancellableContext watch(WatchEventsRequest req, BlockingQueue<Event> q) {
    Context.CancellableContext ctx = Context.current().withCancellation();
    ctx.run(() -> ModelRegistryGrpc.newStub(channel).watchEvents(req, new StreamObserver<>() {
      @Override
      public void onNext(Event e) {
        q.add(e);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    }));
    return ctx;
  }

  @Test
  void watchEventsStreamsBacklogThenLiveAndResumesWithoutGapsOrDuplicates() throws Exception {
    register(TOKEN, "1.0.0", new byte[] {1});
    register(TOKEN, "1.1.0", new byte[] {1});
    BlockingQueue<Event> q = new LinkedBlockingQueue<>();
    Context.CancellableContext ctx = watch(WatchEventsRequest.newBuilder().setSinceSeq(1)
        .build(), q);
    List<Long> seqs = new ArrayList<>();
    Event e = q.poll(10, TimeUnit.SECONDS);
    assertNotNull(e);
    seqs.add(e.getSeq());
    blocking(TOKEN, "x").promote(PromoteRequest.newBuilder().setModel("m").setVersion("1.1.0")
        .setStage("Production").build());
    e = q.poll(10, TimeUnit.SECONDS);
    assertNotNull(e);
    seqs.add(e.getSeq());
    assertEquals(List.of(2L, 3L), seqs);
    assertEquals("ml.model.promoted.v1", e.getEventType());
    assertTrue(e.getJson().startsWith("{\"event_type\":\"ml.model.promoted.v1\",\"model_name\":"
        + "\"m\",\"version\":\"1.1.0\",\"stage\":\"Production\","), e.getJson());
    ctx.cancel(null);
  }

  @Test
  void watchEventsMarksTheEndOfTheBacklogOnceWhenAsked() throws Exception {
    register(TOKEN, "1.0.0", new byte[] {1});
    register(TOKEN, "1.1.0", new byte[] {1});
    BlockingQueue<Event> q = new LinkedBlockingQueue<>();
    Context.CancellableContext ctx = watch(WatchEventsRequest.newBuilder()
        .setReportCaughtUp(true).build(), q);
    try {
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Event e = q.poll(10, TimeUnit.SECONDS);
        assertNotNull(e, got.toString());
        got.add(e.getSeq() + (e.getCaughtUp() ? " caught up" : " " + e.getEventType()));
      }
      assertEquals(List.of("1 ml.model.registered.v1", "2 ml.model.registered.v1",
          "2 caught up"), got);
      for (String stage : List.of("Staging", "Production")) {
        blocking(TOKEN, "x").promote(PromoteRequest.newBuilder().setModel("m")
            .setVersion("1.1.0").setStage(stage).build());
        Event e = q.poll(10, TimeUnit.SECONDS);
        assertNotNull(e);
        assertEquals(false, e.getCaughtUp(), "the marker comes once: " + e);
        got.add(String.valueOf(e.getSeq()));
      }
      assertEquals(List.of("3", "4"), got.subList(3, 5));
    } finally {
      ctx.cancel(null);
    }
  }
}
