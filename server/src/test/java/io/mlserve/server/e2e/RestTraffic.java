package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.testing.DemoModel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A small bounded REST load on one model over loopback ({@code POST /api/v1/predict} with the
 * demo's first golden row): a number of requests now, or a background thread that sends one
 * request every {@link #pace} until stopped or its time is up, whichever comes first. Every
 * answer must be a 200. Thread-safe; one background sender at a time.
 */
final class RestTraffic implements AutoCloseable {
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final HttpRequest request;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile long paceNanos = TimeUnit.MILLISECONDS.toNanos(100);
  private volatile boolean stopping;
  private Thread sender; // @GuardedBy("this")

  RestTraffic(int httpPort, String model) throws IOException {
    this.request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + httpPort + "/api/v1/predict"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"input\":"
            + DemoModel.examples().get("inputs").get(0) + "}"))
        .build();
  }

  /** Sends {@code n} requests one after another; each must answer 200. */
  void send(int n) throws Exception {
    for (int i = 0; i < n; i++) {
      once();
    }
  }

  private void once() throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    sent.incrementAndGet();
  }

  /** Sets the background sender's gap between two requests (a pace, not a correctness wait). */
  void pace(Duration gap) {
    paceNanos = gap.toNanos();
  }

  /** Starts the background sender, which stops by itself after {@code atMost}. */
  synchronized void start(Duration atMost) {
    assertTrue(sender == null, "a sender is already running");
    stopping = false;
    long deadline = System.nanoTime() + atMost.toNanos();
    sender = new Thread(() -> {
      try {
        while (!stopping && System.nanoTime() < deadline) {
          once();
          TimeUnit.NANOSECONDS.sleep(paceNanos);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "dashboard-traffic");
    sender.setDaemon(true);
    sender.start();
  }

  /** Stops the background sender and rethrows what failed in it. */
  synchronized void stop() throws Exception {
    if (sender != null) {
      stopping = true;
      sender.interrupt();
      sender.join(TimeUnit.SECONDS.toMillis(40));
      assertTrue(!sender.isAlive(), "the traffic thread did not stop");
      sender = null;
    }
    Throwable t = failure.getAndSet(null);
    if (t instanceof Exception e) {
      throw e;
    } else if (t != null) {
      throw new AssertionError(t);
    }
  }

  /** Requests answered so far. */
  long sent() {
    return sent.get();
  }

  @Override
  public void close() throws Exception {
    stop();
  }
}
