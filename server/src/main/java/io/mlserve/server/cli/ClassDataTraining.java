package io.mlserve.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * The training run of {@link ClassDataArchive}: what a user's first {@code bin/mlserve demo}
 * does, in one JVM, so that its exit leaves an archive of the classes a start needs. It starts
 * the demo (a temporary store, free loopback ports), waits for a 200 answer from
 * {@code /api/v1/predict} and then from {@code /readyz}, asks {@code /metrics} and the OIP REST
 * infer route,
 * sends one gRPC ModelInfer through {@code mlserve infer}, then exits 0 (the demo stops
 * gracefully and removes its store). Exits 1 when no answer or no readiness came within
 * {@link #ANSWER_LIMIT_MILLIS}. Not thread-safe; used once from {@code main}.
 */
public final class ClassDataTraining {
  static final long ANSWER_LIMIT_MILLIS = 120_000;
  private static final String CURVE = "[60,59,58,57,58,60,62,64,66,68,70,71,70,68,66,64,62,61,"
      + "60,61,62,64,66,67]";

  private ClassDataTraining() {}

  public static void main(String[] args) throws Exception {
    int grpc = freePort();
    int http = freePort();
    Thread demo = new Thread(() -> Main.main(new String[] {"demo", "--bind", "127.0.0.1",
        "--grpc-port", String.valueOf(grpc), "--http-port", String.valueOf(http)}),
        "training-demo");
    demo.setDaemon(true);
    demo.start();
    String base = "http://127.0.0.1:" + http;
    long deadline = System.currentTimeMillis() + ANSWER_LIMIT_MILLIS;
    String predict = "{\"model\":\"curve_forecaster\",\"input\":" + CURVE + "}";
    // The first answer, then readiness (the demo's datasets and references are written between).
    for (String[] step : new String[][] {{"/api/v1/predict", predict}, {"/readyz", null}}) {
      while (call(base + step[0], step[1]) != 200) {
        if (System.currentTimeMillis() > deadline || !demo.isAlive()) {
          System.err.println("training: no 200 from " + step[0] + " of the demo");
          System.exit(1);
        }
        Thread.sleep(50);
      }
    }
    call(base + "/metrics", null);
    call(base + "/v2/models/curve_forecaster/infer", "{\"inputs\":[{\"name\":\"curve\","
        + "\"datatype\":\"FP32\",\"shape\":[1,24],\"data\":" + CURVE + "}]}");
    int infer = new CommandLine(new Main()).execute("infer", "--target", "127.0.0.1:" + grpc,
        "--model", "curve_forecaster", "--values", CURVE.substring(1, CURVE.length() - 1));
    System.exit(infer == 0 ? 0 : 1);
  }

  /** The HTTP status of a GET (null body) or a JSON POST; -1 when nothing answered. */
  private static int call(String url, String jsonBody) {
    try {
      HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
      c.setConnectTimeout(2000);
      c.setReadTimeout(10_000);
      if (jsonBody != null) {
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = c.getOutputStream()) {
          out.write(jsonBody.getBytes(StandardCharsets.UTF_8));
        }
      }
      int status = c.getResponseCode();
      try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
        if (in != null) {
          in.readAllBytes();
        }
      }
      return status;
    } catch (IOException e) {
      return -1;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
