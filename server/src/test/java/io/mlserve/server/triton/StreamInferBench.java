package io.mlserve.server.triton;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.proto.inference.ModelStreamInferResponse;
import io.mlserve.server.MlServer;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.testing.DemoModel;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * gRPC {@code ModelInfer} against {@code ModelStreamInfer} on the demo model, in one run: a real
 * server on a loopback port (Netty, the TorchScript demo, batching as its manifest says) and a
 * closed-loop client in the same JVM keeping {@code CONCURRENCY} requests outstanding, either as
 * that many unary calls or on one stream. The two are measured in alternation over ROUNDS rounds
 * (after a warm-up of each), and the table gives the median throughput and the process CPU time
 * per request (client and server together: one JVM). Run by {@code bench/stream.sh}.
 *
 * <p>Settings (system properties): {@code concurrency} (64), {@code seconds} (10),
 * {@code warmupSeconds} (10), {@code rounds} (3).
 */
public final class StreamInferBench {
  private static final String MODEL = "curve_forecaster";

  private StreamInferBench() {}

  public static void main(String[] args) throws Exception {
    int concurrency = Integer.getInteger("concurrency", 64);
    int seconds = Integer.getInteger("seconds", 10);
    int warmup = Integer.getInteger("warmupSeconds", 10);
    int rounds = Integer.getInteger("rounds", 3);
    Path dir = Files.createTempDirectory("mlserve-stream-bench");
    ModelLoader loader = new ModelLoader(List.of(new DjlEngine()), Ticker.system(),
        Function.identity(), new MetricsRegistry(), Telemetry.disabled());
    MlServer server = MlServer.builder(NettyServerBuilder.forAddress(
            new InetSocketAddress("127.0.0.1", 0)), DemoModel.productionStore(dir), loader)
        .followEvents(false).build();
    server.start();
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
        .usePlaintext().build();
    ModelInferRequest req = request();
    try {
      run(channel, req, false, concurrency, warmup);
      run(channel, req, true, concurrency, warmup);
      List<double[]> unary = new ArrayList<>();
      List<double[]> stream = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        unary.add(run(channel, req, false, concurrency, seconds));
        stream.add(run(channel, req, true, concurrency, seconds));
        System.out.printf("round %d: ModelInfer %.0f req/s (%.1f us CPU/req), "
            + "ModelStreamInfer %.0f req/s (%.1f us CPU/req)%n", r + 1, unary.get(r)[0],
            unary.get(r)[1], stream.get(r)[0], stream.get(r)[1]);
      }
      System.out.printf("%n| call | concurrency | throughput (req/s, median of %d) "
          + "| CPU per request (us, client+server) |%n|---|---|---|---|%n", rounds);
      System.out.printf("| ModelInfer (unary) | %d | %.0f | %.1f |%n", concurrency,
          median(unary, 0), median(unary, 1));
      System.out.printf("| ModelStreamInfer (one stream) | %d | %.0f | %.1f |%n", concurrency,
          median(stream, 0), median(stream, 1));
      System.out.printf("%nstream/unary throughput: %.2f%n",
          median(stream, 0) / median(unary, 0));
    } finally {
      channel.shutdownNow();
      server.shutdown(10, TimeUnit.SECONDS);
    }
  }

  private static double median(List<double[]> runs, int field) {
    double[] v = runs.stream().mapToDouble(r -> r[field]).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static ModelInferRequest request() throws Exception {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (float v : DemoModel.row(DemoModel.examples().get("inputs"), 0)) {
      c.addFp32Contents(v);
    }
    return ModelInferRequest.newBuilder().setModelName(MODEL)
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("curve")
            .setDatatype("FP32").addShape(1).addShape(24).setContents(c))
        .build();
  }

  /** One closed-loop run; returns {requests per second, process CPU microseconds per request}. */
  private static double[] run(ManagedChannel channel, ModelInferRequest req, boolean streamed,
      int concurrency, int seconds) throws InterruptedException {
    AtomicLong done = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch drained = new CountDownLatch(1);
    var os = (com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    if (streamed) {
      streamLoop(channel, req, concurrency, done, stop, drained);
    } else {
      unaryLoop(channel, req, concurrency, done, stop, drained);
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    long n = done.get();
    long elapsed = System.nanoTime() - t0;
    long cpu = os.getProcessCpuTime() - cpu0;
    stop.set(true);
    if (!drained.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the client did not drain");
    }
    return new double[] {n * 1e9 / elapsed, cpu / 1e3 / n};
  }

  private static void unaryLoop(ManagedChannel channel, ModelInferRequest req, int concurrency,
      AtomicLong done, AtomicBoolean stop, CountDownLatch drained) {
    var stub = GRPCInferenceServiceGrpc.newStub(channel);
    AtomicLong outstanding = new AtomicLong(concurrency);
    for (int i = 0; i < concurrency; i++) {
      stub.modelInfer(req, new StreamObserver<>() {
        @Override
        public void onNext(ModelInferResponse r) {
          done.incrementAndGet();
        }

        @Override
        public void onError(Throwable t) {
          throw new IllegalStateException("ModelInfer failed", t);
        }

        @Override
        public void onCompleted() {
          if (stop.get()) {
            if (outstanding.decrementAndGet() == 0) {
              drained.countDown();
            }
          } else {
            stub.modelInfer(req, this);
          }
        }
      });
    }
  }

  private static void streamLoop(ManagedChannel channel, ModelInferRequest req, int concurrency,
      AtomicLong done, AtomicBoolean stop, CountDownLatch drained) {
    AtomicLong outstanding = new AtomicLong(concurrency);
    Object lock = new Object();
    @SuppressWarnings("unchecked")
    StreamObserver<ModelInferRequest>[] out = new StreamObserver[1];
    out[0] = GRPCInferenceServiceGrpc.newStub(channel).modelStreamInfer(new StreamObserver<>() {
      @Override
      public void onNext(ModelStreamInferResponse r) {
        if (!r.getErrorMessage().isEmpty()) {
          throw new IllegalStateException("a streamed request failed: " + r.getErrorMessage());
        }
        done.incrementAndGet();
        synchronized (lock) {
          if (!stop.get()) {
            out[0].onNext(req);
          } else if (outstanding.decrementAndGet() == 0) {
            out[0].onCompleted();
          }
        }
      }

      @Override
      public void onError(Throwable t) {
        throw new IllegalStateException("ModelStreamInfer failed", t);
      }

      @Override
      public void onCompleted() {
        drained.countDown();
      }
    });
    synchronized (lock) {
      for (int i = 0; i < concurrency; i++) {
        out[0].onNext(req);
      }
    }
  }
}
