package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.StoreMlctl;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Worker autoscaling end to end: {@code bin/mlserve serve} with the real TorchScript engine
 * serving the heavy MLP ({@code examples/mlp_heavy/torchscript}) from one worker, bounds 1 to 3
 * and short windows set by flags. Closed-loop REST load over loopback (requests of 64 rows, more
 * clients than workers, so the workers are the bottleneck and requests wait) must add a worker,
 * seen in {@code /metrics}; once the load stops the count must go back to the minimum. Waits are
 * bounded and generous: this is not a timing test (bench/autoscale.sh measures how soon).
 */
class AutoscaleIT {
  private static final String MODEL = "mlp_heavy_ts";
  private static final String LABELS = "{model=\"" + MODEL + "\",version=\"1.0.0\"} ";
  private static final int CLIENTS = 8;
  private static final int ROWS = 64;
  private static final long AWAIT_SECONDS = 120;

  @TempDir Path tmp;
  private LauncherProcess server;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void workersScaleUpUnderLoadAndBackDownWhenItStops() throws Exception {
    Path store = tmp.resolve("store");
    Path artifact = DemoModel.repoRoot().resolve("examples/mlp_heavy/torchscript/model.pt");
    StoreMlctl.Result r = StoreMlctl.run(store, "register", "--model", MODEL, "--version",
        "1.0.0", "--artifact", artifact.toString());
    assertEquals(0, r.code(), r.err() + r.out());
    StoreMlctl.Result p = StoreMlctl.run(store, "promote", "--model", MODEL, "--version",
        "1.0.0", "--stage", "Production");
    assertEquals(0, p.code(), p.err());

    server = LauncherProcess.startInTmp(tmp,
        "serve", "--store", store.toString(), "--grpc-port", "0", "--http-port", "0",
        "--bind", "127.0.0.1", "--instances", "1", "--min-instances", "1",
        "--max-instances", "3", "--scale-up-window-ms", "500", "--scale-down-window-ms", "2000");
    Matcher ready = server.awaitReady();
    int port = Integer.parseInt(ready.group(2));

    String metrics = metrics(port);
    assertEquals(1, gauge(metrics, "mlserve_instances"), metrics);
    assertEquals(1, gauge(metrics, "mlserve_instances_min"), metrics);
    assertEquals(3, gauge(metrics, "mlserve_instances_max"), metrics);

    AtomicLong answered = new AtomicLong();
    AtomicReference<String> failure = new AtomicReference<>();
    long loadDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
    List<Thread> clients = new ArrayList<>();
    AtomicBoolean stopping = new AtomicBoolean();
    for (int c = 0; c < CLIENTS; c++) {
      Thread t = new Thread(() -> {
        HttpRequest request = predict(port);
        while (!stopping.get() && System.nanoTime() < loadDeadline && failure.get() == null) {
          try {
            HttpResponse<String> resp = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) {
              failure.compareAndSet(null, resp.statusCode() + " " + resp.body());
            }
            answered.incrementAndGet();
          } catch (Exception e) {
            failure.compareAndSet(null, e.toString());
          }
        }
      }, "autoscale-client-" + c);
      t.setDaemon(true);
      clients.add(t);
      t.start();
    }
    int peak;
    try {
      peak = awaitInstances(port, n -> n > 1 || failure.get() != null, "more than 1 under load");
    } finally {
      stopping.set(true);
      for (Thread t : clients) {
        t.join(TimeUnit.SECONDS.toMillis(60));
      }
    }
    assertEquals(null, failure.get(), "every request under load must succeed");
    assertTrue(peak > 1, "workers " + peak + " after " + answered + " requests");
    server.awaitLine(Pattern.compile(".*" + MODEL + ":1\\.0\\.0: adding a worker \\(2 now, 1 to 3\\)"
        + ": \\d+% busy, .* queued on average over .*"), 30, TimeUnit.SECONDS);

    awaitInstances(port, n -> n == 1, "back to 1 without load");
    server.awaitLine(Pattern.compile(".*" + MODEL + ":1\\.0\\.0: removing a worker \\(1 now, 1 to"
        + " 3\\): \\d+% busy, .*"), 30, TimeUnit.SECONDS);
  }

  /** Polls /metrics until the worker count satisfies {@code done}; returns that count. */
  private int awaitInstances(int port, IntPredicate done, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
    while (true) {
      String metrics = metrics(port);
      int n = gauge(metrics, "mlserve_instances");
      if (done.test(n)) {
        return n;
      }
      if (System.nanoTime() > deadline) {
        fail("workers " + n + ", not " + what + " within " + AWAIT_SECONDS + " s; output: "
            + server.output());
      }
      Thread.sleep(200); // the polling pace; the deadline bounds the wait
    }
  }

  private String metrics(int port) throws Exception {
    HttpResponse<String> resp = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, resp.statusCode());
    return resp.body();
  }

  private static int gauge(String metrics, String name) {
    String prefix = name + LABELS;
    return metrics.lines().filter(l -> l.startsWith(prefix))
        .mapToInt(l -> Integer.parseInt(l.substring(prefix.length()).trim()))
        .findFirst().orElseThrow(() -> new AssertionError(prefix + "missing in " + metrics));
  }

  /** A predict call of {@link #ROWS} rows of the MLP's 24 inputs. */
  private static HttpRequest predict(int port) {
    StringJoiner rows = new StringJoiner(",", "[", "]");
    for (int i = 0; i < ROWS; i++) {
      StringJoiner row = new StringJoiner(",", "[", "]");
      for (int j = 0; j < 24; j++) {
        row.add(Float.toString((i * 24 + j) % 17 / 17f));
      }
      rows.add(row.toString());
    }
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/predict"))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"" + MODEL + "\",\"input\":" + rows + "}"))
        .build();
  }
}
