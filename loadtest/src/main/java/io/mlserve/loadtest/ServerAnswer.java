package io.mlserve.loadtest;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.ModelInferRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What the server said when a request failed, fetched by sending it once more through a plain
 * client (java.net.http for REST, a blocking stub for gRPC): for error messages, never on the
 * measured path. Answers are cut to {@value #MAX_CHARS} characters on one line. Stateless;
 * thread-safe.
 */
final class ServerAnswer {
  static final int MAX_CHARS = 300;

  private ServerAnswer() {}

  /** {@code HTTP <status>: <body>} for a non-2xx answer to a JSON POST; null otherwise. */
  static String http(URI uri, byte[] body, Duration timeout) throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(timeout)
        .version(HttpClient.Version.HTTP_1_1).build();
    try {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(timeout)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() >= 200 && r.statusCode() < 300) {
        return null;
      }
      return "HTTP " + r.statusCode() + (r.body().isBlank() ? " (empty body)" : ": "
          + oneLine(r.body()));
    } catch (IOException e) {
      return null;
    }
  }

  /** {@code <CODE>: <description>} for a failed ModelInfer; null when it succeeded. */
  static String grpc(Channel channel, ModelInferRequest request, Duration timeout) {
    try {
      ClientCalls.blockingUnaryCall(channel, GRPCInferenceServiceGrpc.getModelInferMethod(),
          CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS),
          request);
      return null;
    } catch (StatusRuntimeException e) {
      String d = e.getStatus().getDescription();
      return e.getStatus().getCode() + (d == null || d.isBlank() ? "" : ": " + oneLine(d));
    }
  }

  static String oneLine(String s) {
    String t = s.strip().replaceAll("\\s+", " ");
    return t.length() <= MAX_CHARS ? t : t.substring(0, MAX_CHARS) + "...";
  }
}
