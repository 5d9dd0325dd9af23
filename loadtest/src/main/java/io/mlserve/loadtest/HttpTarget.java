package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;

/**
 * mlserve's REST API over HTTP/1.1 ({@code java.net.http}): {@code POST /api/v1/predict} with one
 * row per request, or {@code POST /api/v1/batch} with {@code batchSize} rows. Every request is
 * built once, bodies pre-serialized; a send picks one from an array. The client keeps a
 * connection per concurrent request alive between requests. Thread-safe.
 */
final class HttpTarget implements Target {
  private static final byte[] VERSION_KEY = "\"version\"".getBytes(StandardCharsets.US_ASCII);

  private final String base;
  private final String path;
  private final Workload workload;
  private final HttpRequest[] requests;
  private final ExecutorService executor;
  private final HttpClient client;

  /**
   * @param base {@code http://host:port}
   * @param batch true: {@code /api/v1/batch} with the workload's batch size; false: predict
   */
  HttpTarget(String base, Workload workload, boolean batch, Duration connectTimeout) {
    this.base = requireNonNull(base, "base");
    this.workload = requireNonNull(workload, "workload");
    if (!batch && workload.batchSize() != 1) {
      throw new IllegalArgumentException("--batch-size > 1 needs --http-api batch");
    }
    this.path = batch ? "/api/v1/batch" : "/api/v1/predict";
    // Two threads: enough to parse answers, few enough to leave the server its cores.
    this.executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "loadtest-http");
      t.setDaemon(true);
      return t;
    });
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout).executor(executor).build();
    URI uri = URI.create(base + path);
    this.requests = new HttpRequest[workload.size()];
    for (int k = 0; k < requests.length; k++) {
      requests[k] = HttpRequest.newBuilder(uri)
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body(workload, k, batch)))
          .build();
    }
  }

  static byte[] body(Workload workload, int k, boolean batch) {
    StringBuilder sb = new StringBuilder(256).append("{\"model\":")
        .append(JsonReport.quote(workload.input(k).model()));
    float[][] rows = workload.batch(k);
    if (batch) {
      sb.append(",\"instances\":[");
      for (int r = 0; r < rows.length; r++) {
        appendRow(sb.append(r == 0 ? "" : ","), rows[r]);
      }
      sb.append(']');
    } else {
      appendRow(sb.append(",\"input\":"), rows[0]);
    }
    return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void appendRow(StringBuilder sb, float[] row) {
    sb.append('[');
    for (int i = 0; i < row.length; i++) {
      sb.append(i == 0 ? "" : ",").append(row[i]);
    }
    sb.append(']');
  }

  /** The value of the first {@code "version": "..."} in a JSON body, or null. */
  static String version(byte[] body) {
    outer:
    for (int i = 0; i + VERSION_KEY.length < body.length; i++) {
      for (int j = 0; j < VERSION_KEY.length; j++) {
        if (body[i + j] != VERSION_KEY[j]) {
          continue outer;
        }
      }
      int p = i + VERSION_KEY.length;
      while (p < body.length && (body[p] == ' ' || body[p] == ':')) {
        p++;
      }
      if (p >= body.length || body[p] != '"') {
        return null;
      }
      int end = p + 1;
      while (end < body.length && body[end] != '"') {
        end++;
      }
      return new String(body, p + 1, end - p - 1, StandardCharsets.UTF_8);
    }
    return null;
  }

  @Override
  public void send(Call call, Sink sink) {
    Completion completion = (Completion) call.transportState;
    if (completion == null) {
      completion = new Completion(call);
      call.transportState = completion;
    }
    completion.sink = sink;
    client.sendAsync(requests[call.request], HttpResponse.BodyHandlers.ofByteArray())
        .whenComplete(completion);
  }

  @Override
  public int requests() {
    return requests.length;
  }

  @Override
  public int modelOf(int request) {
    return workload.modelOf(request);
  }

  @Override
  public List<String> models() {
    return workload.models();
  }

  @Override
  public String describe() {
    return String.format(Locale.ROOT, "%s POST %s, %s", base, path, workload.describe());
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  /** One per {@link Call}; at most one of its exchanges is outstanding at a time. */
  private static final class Completion implements BiConsumer<HttpResponse<byte[]>, Throwable> {
    private final Call call;
    private Sink sink;

    Completion(Call call) {
      this.call = call;
    }

    @Override
    public void accept(HttpResponse<byte[]> response, Throwable error) {
      if (error != null) {
        sink.completed(call, Outcome.CONNECTION_ERROR, null);
        return;
      }
      int outcome = Outcome.http(response.statusCode());
      sink.completed(call, outcome, outcome == Outcome.OK ? version(response.body()) : null);
    }
  }
}
