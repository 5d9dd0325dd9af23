package io.mlserve.server.triton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelStreamInferResponse;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.ServerState;
import io.mlserve.server.engine.InferenceEngine;
import io.mlserve.server.engine.LoadedModel;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.grpc.InferenceGrpcService;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.serving.AnswerListener;
import io.mlserve.server.serving.InferenceService;
import io.mlserve.server.serving.RequestIds;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.Sockets;
import io.mlserve.store.Manifest;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ModelStreamInfer's bounds, over a model ("gated": x FP32 [-1, 2] to y = 2x) loaded through the
 * real loader and batcher, whose engine the test can hold inside predict: at most K requests in
 * flight per stream, a client that reads nothing makes the server stop taking requests after K,
 * and a cancelled stream leaves no request of it queued.
 */
class StreamInferFlowControlTest {
  private static final int K = 8;

  @TempDir Path dir;
  private final Semaphore gate = new Semaphore(Integer.MAX_VALUE / 2);
  private final Semaphore entered = new Semaphore(0);
  private final AtomicLong rowsRun = new AtomicLong();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile boolean holding;
  private ServedModel served;
  private StreamInfer streams;
  private InferenceGrpcService grpc;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void setUp() throws Exception {
    Manifest m = new Manifest("gated", "1.0.0", "gated", "none", "fake", null, null,
        new Signature(List.of(new TensorSpec("x", "FP32", List.of(-1L, 2L))),
            List.of(new TensorSpec("y", "FP32", List.of(-1L, 2L)))),
        new ServingConfig(K, 0, 10_000, 1, "cpu", 1, ServingConfig.QUEUE_TIMEOUT_US.max()),
        Map.of(), Map.of(), "test model", null);
    served = new ModelLoader(List.of(new GatedEngine()), Ticker.system(), Function.identity(),
        new MetricsRegistry(), Telemetry.disabled()).load(dir, m);
    rowsRun.set(0); // the loader's warm-up ran rows too
    ModelRouter router = new ModelRouter();
    router.put(served, true);
    streams = new StreamInfer(K);
    // Sampled as each request is answered, on the server: how many a stream had taken.
    AnswerListener sample = (model, ctx, split, inputs, outputs, error, nanos) ->
        maxInFlight.accumulateAndGet(streams.inFlight(), Math::max);
    grpc = new InferenceGrpcService(new InferenceService(router, Ticker.system(),
        new RequestIds(), sample), new ServerState(() -> true), "test", true, null, streams);
  }

  @AfterEach
  void tearDown() throws Exception {
    gate.release(Integer.MAX_VALUE / 4);
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    served.close();
  }

  private void inProcess() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(grpc).build()
        .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  private void loopback() throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(grpc).build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext()
        .build();
  }

  private static ModelInferRequest request(String id) {
    ByteBuffer raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1)
        .putFloat(2);
    return ModelInferRequest.newBuilder().setModelName("gated").setId(id)
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("x")
            .setDatatype("FP32").addShape(1).addShape(2))
        .addRawInputContents(ByteString.copyFrom(raw.array()))
        .build();
  }

  /** A client stream that reads {@code initialReads} answers, then only what it is told to. */
  private final class Client implements
      ClientResponseObserver<ModelInferRequest, ModelStreamInferResponse> {
    final Set<String> ids = ConcurrentHashMap.newKeySet();
    final CountDownLatch done = new CountDownLatch(1);
    final AtomicReference<Throwable> failed = new AtomicReference<>();
    final int initialReads;
    ClientCallStreamObserver<ModelInferRequest> requests;

    Client(int initialReads) {
      this.initialReads = initialReads;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ModelInferRequest> r) {
      requests = r;
      if (initialReads >= 0) {
        r.disableAutoRequestWithInitial(initialReads);
      }
    }

    @Override
    public void onNext(ModelStreamInferResponse r) {
      assertEquals("", r.getErrorMessage());
      assertTrue(ids.add(r.getInferResponse().getId()), "answered twice");
    }

    @Override
    public void onError(Throwable t) {
      failed.set(t);
      done.countDown();
    }

    @Override
    public void onCompleted() {
      done.countDown();
    }

    Client open() {
      GRPCInferenceServiceGrpc.newStub(channel).modelStreamInfer(this);
      return this;
    }

    void send(int from, int to) {
      for (int i = from; i < to; i++) {
        requests.onNext(request("s" + i));
      }
    }

    void awaitCompleted() throws InterruptedException {
      assertTrue(done.await(60, TimeUnit.SECONDS), "the stream did not complete");
      assertEquals(null, failed.get());
    }
  }

  @Test
  void aClientThatReadsNothingStopsTheServerAfterKRequests() throws Exception {
    inProcess();
    Client c = new Client(0).open();
    c.send(0, 10_000);
    c.requests.onCompleted();
    Sockets.await(() -> streams.received() >= K && streams.inFlight() == 0,
        "the first K requests answered");
    // The K answers wait unread; the server takes no further request until the client reads.
    assertEquals(K, streams.received());
    assertEquals(0, c.ids.size());

    c.requests.request(Integer.MAX_VALUE);
    c.awaitCompleted();
    assertEquals(10_000, c.ids.size());
    assertEquals(10_000, streams.received());
    assertTrue(maxInFlight.get() <= K, "in flight at most K, saw " + maxInFlight.get());
  }

  @Test
  void atMostKRequestsOfAStreamAreInFlight() throws Exception {
    inProcess();
    hold();
    Client c = new Client(-1).open();
    c.send(0, 1);
    awaitEntered();
    c.send(1, 100);
    c.requests.onCompleted();
    Sockets.await(() -> served.batcher().queueDepth() == K - 1, "K - 1 requests queued");
    assertEquals(K, streams.received(), "one running, K - 1 queued, none taken beyond");
    assertEquals(K, streams.inFlight());
    open();
    c.awaitCompleted();
    assertEquals(100, c.ids.size());
    assertTrue(maxInFlight.get() <= K, "in flight at most K, saw " + maxInFlight.get());
  }

  @Test
  void cancellingAStreamDropsItsQueuedRequests() throws Exception {
    loopback();
    hold();
    Client c = new Client(-1).open();
    c.send(0, 1);
    awaitEntered();
    c.send(1, K);
    Sockets.await(() -> served.batcher().queueDepth() == K - 1, "K - 1 requests queued");
    c.requests.cancel("the client gives up", null);
    Sockets.await(() -> streams.inFlight() == 0, "the stream's requests cancelled");
    open();
    // A request after the cancelled ones: once it is answered, the batcher has passed them.
    var after = GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(request("after"));
    assertEquals("after", after.getId());
    assertEquals(2, rowsRun.get(), "only the request already running and the one after ran");
  }

  private void hold() {
    holding = true;
    gate.drainPermits();
  }

  private void open() {
    holding = false;
    gate.release(Integer.MAX_VALUE / 2);
  }

  private void awaitEntered() throws InterruptedException {
    assertTrue(entered.tryAcquire(30, TimeUnit.SECONDS), "no batch reached the engine");
  }

  /** The engine: y = 2x, held inside predict while the test holds the gate. */
  private final class GatedEngine implements InferenceEngine {
    @Override
    public boolean supports(String format) {
      return format.equals("gated");
    }

    @Override
    public LoadedModel load(Path versionDir, Manifest manifest) {
      return new LoadedModel() {
        @Override
        public ModelRunner newRunner(int intraOpThreads) {
          return new ModelRunner() {
            @Override
            public Tensor[] predict(Tensor[] inputs) throws InterruptedException {
              if (holding) {
                entered.release();
                gate.acquire();
              }
              rowsRun.addAndGet(inputs[0].dim(0));
              float[] in = inputs[0].toFloats();
              float[] out = new float[in.length];
              for (int i = 0; i < in.length; i++) {
                out[i] = 2 * in[i];
              }
              return new Tensor[] {Tensor.ofFloats("y", inputs[0].shape(), out)};
            }

            @Override
            public void close() {}
          };
        }

        @Override
        public void close() {}
      };
    }
  }
}
