package io.mlserve.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.server.testing.DemoModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Concurrent client load over loopback for end-to-end rollout tests: a bounded number of
 * threads, each sending unversioned requests for one model (so every request goes through the
 * model's split) one after another, over gRPC {@code ModelInfer} or REST
 * {@code /api/v1/predict}, until stopped, until it has sent {@code perThread} requests, or until
 * {@link #MAX_SECONDS} pass. Inputs are the demo's golden rows; every {@code badEvery}-th request
 * of a thread has a negative first value (0: none). Each answer's {@code model_version} is
 * counted, and each failure kept (up to a bound) with the transport's code.
 *
 * <p>This class is thread-safe.
 */
final class UnversionedLoad implements AutoCloseable {
  /** No load runs longer than this, whatever the test does. */
  static final long MAX_SECONDS = 120;
  private static final int KEPT_FAILURES = 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a load saw, once stopped. */
  record Summary(long sent, long failed, Map<String, Long> versions, List<String> failures) {
    @Override
    public String toString() {
      return sent + " sent, " + failed + " failed, answered by " + versions
          + (failures.isEmpty() ? "" : ", failures e.g. " + failures);
    }
  }

  private final String model;
  private final String inputName;
  private final int badEvery;
  private final long perThread;
  private final List<float[]> rows;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final LongAdder sent = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final Map<String, LongAdder> versions = new ConcurrentHashMap<>();
  private final List<String> failures = new ArrayList<>(); // @GuardedBy("failures")
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong deadline = new AtomicLong();

  private UnversionedLoad(String model, String inputName, List<float[]> rows, int badEvery,
      long perThread) {
    this.model = model;
    this.inputName = inputName;
    this.badEvery = badEvery;
    this.perThread = perThread;
    this.rows = List.copyOf(rows);
  }

  private static List<float[]> demoRows() throws Exception {
    JsonNode inputs = DemoModel.examples().get("inputs");
    List<float[]> rows = new ArrayList<>();
    for (int r = 0; r < inputs.size(); r++) {
      rows.add(DemoModel.row(inputs, r));
    }
    return rows;
  }

  /**
   * Starts {@code grpcThreads} gRPC threads on {@code channel} and {@code restThreads} REST
   * threads on the gateway at {@code httpPort}.
   *
   * @param perThread the most requests a thread sends (it stops earlier when stopped)
   */
  static UnversionedLoad start(String model, ManagedChannel channel, int grpcThreads,
      int httpPort, int restThreads, int badEvery, long perThread) throws Exception {
    return start(new UnversionedLoad(model, "curve", demoRows(), badEvery, perThread), channel,
        grpcThreads, httpPort, restThreads);
  }

  /**
   * As above, for a model with one FP32 input {@code inputName} of {@code [1, row length]}: the
   * rows are sent in turn, none altered.
   */
  static UnversionedLoad start(String model, String inputName, List<float[]> rows,
      ManagedChannel channel, int grpcThreads, int httpPort, int restThreads, long perThread) {
    return start(new UnversionedLoad(model, inputName, rows, 0, perThread), channel, grpcThreads,
        httpPort, restThreads);
  }

  private static UnversionedLoad start(UnversionedLoad load, ManagedChannel channel,
      int grpcThreads, int httpPort, int restThreads) {
    load.deadline.set(System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_SECONDS));
    GRPCInferenceServiceBlockingStub stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    for (int t = 0; t < grpcThreads; t++) {
      load.spawn("grpc-" + t, i -> load.grpc(stub, i));
    }
    if (restThreads > 0) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10)).build();
      URI predict = URI.create("http://127.0.0.1:" + httpPort + "/api/v1/predict");
      for (int t = 0; t < restThreads; t++) {
        load.spawn("rest-" + t, i -> load.rest(http, predict, i));
      }
    }
    return load;
  }

  @FunctionalInterface
  private interface Call {
    /** Sends request {@code i}; returns the answering version, or throws describing a failure. */
    String send(long i) throws Exception;
  }

  private void spawn(String name, Call call) {
    Thread t = new Thread(() -> {
      for (long i = 0; i < perThread && !stop.get() && System.nanoTime() < deadline.get(); i++) {
        sent.increment();
        try {
          versions.computeIfAbsent(call.send(i), v -> new LongAdder()).increment();
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          failed.increment();
          synchronized (failures) {
            if (failures.size() < KEPT_FAILURES) {
              failures.add(name + "#" + i + ": " + e.getMessage());
            }
          }
        }
      }
    }, "load-" + model + "-" + name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private float[] input(long i) {
    float[] row = rows.get((int) (i % rows.size())).clone();
    if (badEvery > 0 && i % badEvery == badEvery - 1) {
      row[0] = -1;
    }
    return row;
  }

  private String grpc(GRPCInferenceServiceBlockingStub stub, long i) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (float v : input(i)) {
      c.addFp32Contents(v);
    }
    ModelInferRequest req = ModelInferRequest.newBuilder().setModelName(model)
        .addInputs(InferInputTensor.newBuilder().setName(inputName).setDatatype("FP32")
            .addShape(1).addShape(c.getFp32ContentsCount()).setContents(c)).build();
    try {
      return stub.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(req).getModelVersion();
    } catch (StatusRuntimeException e) {
      throw new IllegalStateException("gRPC " + e.getStatus().getCode() + " "
          + e.getStatus().getDescription(), e);
    }
  }

  private String rest(HttpClient http, URI predict, long i) throws Exception {
    StringBuilder body = new StringBuilder("{\"model\":\"").append(model).append("\",\"input\":[");
    float[] row = input(i);
    for (int k = 0; k < row.length; k++) {
      body.append(k == 0 ? "" : ",").append(row[k]);
    }
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(predict)
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.append("]}").toString())).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("HTTP " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body()).get("version").asText();
  }

  /** Requests sent so far. */
  long sent() {
    return sent.sum();
  }

  /** Answers so far from {@code version}. */
  long answeredBy(String version) {
    LongAdder n = versions.get(version);
    return n == null ? 0 : n.sum();
  }

  /** Stops the threads (each finishes its request in flight) and says what they saw. */
  Summary stop() throws InterruptedException {
    stop.set(true);
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(60));
      if (t.isAlive()) {
        throw new AssertionError(t.getName() + " did not stop within 60 s");
      }
    }
    return summary();
  }

  /** Waits (bounded) for every thread to send its {@code perThread} requests; the summary. */
  Summary await() throws InterruptedException {
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(MAX_SECONDS));
    }
    return stop();
  }

  private Summary summary() {
    Map<String, Long> v = new TreeMap<>();
    versions.forEach((k, n) -> v.put(k, n.sum()));
    synchronized (failures) {
      return new Summary(sent.sum(), failed.sum(), v, List.copyOf(failures));
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
