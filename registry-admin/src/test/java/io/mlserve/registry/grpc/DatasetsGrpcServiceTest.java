package io.mlserve.registry.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.mlserve.dataset.DatasetLimits;
import io.mlserve.proto.admin.v1.Dataset;
import io.mlserve.proto.admin.v1.DatasetChunk;
import io.mlserve.proto.admin.v1.DatasetHeader;
import io.mlserve.proto.admin.v1.DatasetsGrpc;
import io.mlserve.proto.admin.v1.GetDatasetRequest;
import io.mlserve.proto.admin.v1.ListDatasetsRequest;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Datasets admin service in process, with a token, as AdminServices wires it. */
class DatasetsGrpcServiceTest {
  private static final String TOKEN = "s3cret";
  private static final String ROW = "{\"input\": [1, 2], \"label\": 3}\n";

  @TempDir Path tmp;
  private Server server;
  private ManagedChannel channel;
  private EventLog events;

  @BeforeEach
  void setUp() throws Exception {
    Path root = tmp.resolve("store");
    ModelStore store = ModelStore.open(root);
    events = EventLog.open(root);
    ModelRegistry registry = new ModelRegistry(store, events, ArtifactValidator.none(),
        Clock.systemUTC());
    registry.register(new RegisterRequest("m", "1.0.0",
        Files.write(tmp.resolve("model.pt"), new byte[64]), "torchscript",
        new Signature(List.of(new TensorSpec("x", "FP32", List.of(-1L, 2L))),
            List.of(new TensorSpec("y", "FP32", List.of(-1L, 1L)))), null,
        null, null, null, null, null, "alice"));
    String name = InProcessServerBuilder.generateName();
    InProcessServerBuilder b = InProcessServerBuilder.forName(name).directExecutor();
    AdminServices.create(registry, store, events, TOKEN, Clock.systemUTC(), 1000, "test",
        DatasetLimits.defaults().withMaxBytes(100)).services().forEach(b::addService);
    server = b.build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void tearDown() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    events.close();
  }

  private Metadata md(String token) {
    Metadata md = new Metadata();
    if (token != null) {
      md.put(AdminAuth.AUTHORIZATION, "Bearer " + token);
    }
    md.put(AdminAuth.ACTOR, "carol");
    return md;
  }

  private Dataset add(String token, String name, String... chunks) throws Exception {
    CompletableFuture<Dataset> f = new CompletableFuture<>();
    StreamObserver<DatasetChunk> up = DatasetsGrpc.newStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md(token)))
        .addDataset(new StreamObserver<>() {
          @Override
          public void onNext(Dataset d) {
            f.complete(d);
          }

          @Override
          public void onError(Throwable t) {
            f.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    up.onNext(DatasetChunk.newBuilder().setHeader(DatasetHeader.newBuilder().setModel("m")
        .setName(name).setFormat("jsonl").setDescription("held out")).build());
    for (String c : chunks) {
      up.onNext(DatasetChunk.newBuilder().setData(ByteString.copyFromUtf8(c)).build());
    }
    up.onCompleted();
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  private Status.Code code(String token, String name, String... chunks) {
    return assertThrows(StatusRuntimeException.class, () -> add(token, name, chunks))
        .getStatus().getCode();
  }

  @Test
  void addingNeedsTheTokenAndReadingDoesNot() throws Exception {
    assertEquals(Status.Code.UNAUTHENTICATED, code(null, "t", ROW));
    assertEquals(Status.Code.UNAUTHENTICATED, code("wrong", "t", ROW));
    Dataset d = add(TOKEN, "t", ROW.substring(0, 10), ROW.substring(10), ROW);
    assertEquals(2, d.getRows());
    assertEquals("carol", d.getActor());
    assertEquals("held out", d.getDescription());
    assertEquals(64, d.getSha256().length());
    var open = DatasetsGrpc.newBlockingStub(channel);
    assertEquals(d, open.getDataset(GetDatasetRequest.newBuilder().setModel("m").setName("t")
        .build()));
    assertEquals(List.of(d), open.listDatasets(ListDatasetsRequest.newBuilder().setModel("m")
        .build()).getDatasetsList());
  }

  @Test
  void refusalsCarryTheirStatusAndLeaveNothing() throws Exception {
    add(TOKEN, "t", ROW);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> add(TOKEN, "t", ROW));
    assertEquals(Status.Code.ALREADY_EXISTS, e.getStatus().getCode());
    assertEquals("dataset 't' of model 'm' already exists; datasets are immutable: add it under"
        + " another name", e.getStatus().getDescription());
    e = assertThrows(StatusRuntimeException.class,
        () -> add(TOKEN, "bad", ROW, "{\"input\": [1], \"label\": 3}\n"));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("line 2: wrong length 1 for input 'x' of shape [2]",
        e.getStatus().getDescription());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, code(TOKEN, "big", ROW.repeat(5)));
    assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class,
        () -> DatasetsGrpc.newBlockingStub(channel).getDataset(GetDatasetRequest.newBuilder()
            .setModel("m").setName("bad").build())).getStatus().getCode());
    try (Stream<Path> s = Files.list(tmp.resolve("store/m/datasets"))) {
      assertEquals(List.of("t"), s.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void aCancelledUploadLeavesNothing() throws Exception {
    StreamObserver<DatasetChunk> up = DatasetsGrpc.newStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md(TOKEN)))
        .addDataset(new StreamObserver<>() {
          @Override
          public void onNext(Dataset d) {}

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
    up.onNext(DatasetChunk.newBuilder().setHeader(DatasetHeader.newBuilder().setModel("m")
        .setName("t").setFormat("jsonl")).build());
    up.onNext(DatasetChunk.newBuilder().setData(ByteString.copyFrom(ROW,
        StandardCharsets.UTF_8)).build());
    try (Stream<Path> s = Files.list(tmp.resolve("store/m/datasets"))) {
      assertEquals(1, s.count()); // the upload's hidden temp directory
    }
    up.onError(Status.CANCELLED.asRuntimeException());
    try (Stream<Path> s = Files.list(tmp.resolve("store/m/datasets"))) {
      assertTrue(s.findAny().isEmpty());
    }
  }
}
