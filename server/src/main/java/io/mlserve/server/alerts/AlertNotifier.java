package io.mlserve.server.alerts;

import io.mlserve.server.metrics.PrometheusText;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts alert transitions to webhooks in Alertmanager's webhook JSON
 * ({@link AlertmanagerPayload}): one POST per batch of transitions (one evaluation's) per
 * webhook. {@link #notify} never blocks and never does I/O: it encodes the body once and puts
 * it on each webhook's bounded queue ({@value #DEFAULT_QUEUE} batches; when full the oldest is
 * dropped and counted). Each webhook has one sender thread that posts its queue in order with
 * {@link HttpClient} (connect and request timeouts: the webhook's {@code timeout}); a 2xx
 * answer delivers; a connection failure, a timeout, 408, 429 or 5xx is retried up to the
 * webhook's {@code max_attempts} in all, with exponential backoff (1 s, 2 s, 4 s ... at most
 * 60 s, through the injected {@link Sleeper}); any other answer fails at once. So a dead or
 * slow webhook delays only its own queue, which stays bounded.
 *
 * <p>This class is thread-safe.
 */
public final class AlertNotifier implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AlertNotifier.class);
  public static final int DEFAULT_QUEUE = 100;
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

  /** Waits between attempts; tests pass one that does not sleep. */
  @FunctionalInterface
  public interface Sleeper {
    Sleeper SYSTEM = d -> Thread.sleep(d.toMillis());

    void sleep(Duration d) throws InterruptedException;
  }

  /** One webhook's counts, for {@code /metrics} and tests. */
  public record Stats(String webhook, long delivered, long failed, long dropped, int queued,
      long attempts) {}

  private final List<Sender> senders = new ArrayList<>();
  private final Supplier<String> externalUrl;

  /**
   * @param externalUrl this server's base URL for {@code externalURL}/{@code generatorURL}
   * @param queueCapacity batches each webhook may have waiting
   */
  public AlertNotifier(List<WebhookConfig> webhooks, Supplier<String> externalUrl,
      Sleeper sleeper, int queueCapacity) {
    this.externalUrl = Objects.requireNonNull(externalUrl, "externalUrl");
    Objects.requireNonNull(sleeper, "sleeper");
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queueCapacity must be positive, got " + queueCapacity);
    }
    for (WebhookConfig w : webhooks) {
      Sender s = new Sender(w, sleeper, queueCapacity);
      senders.add(s);
      s.thread.start();
    }
  }

  /** Queues one body of the notified transitions among {@code transitions} for each webhook. */
  public void notify(List<AlertTransition> transitions) {
    if (senders.isEmpty()) {
      return;
    }
    byte[] body = AlertmanagerPayload.body(transitions, externalUrl.get());
    if (body != null) {
      senders.forEach(s -> s.offer(body));
    }
  }

  /** Each webhook's counts, in configuration order. */
  public List<Stats> stats() {
    List<Stats> out = new ArrayList<>();
    for (Sender s : senders) {
      out.add(s.stats());
    }
    return out;
  }

  /** The notifier's metrics families (Prometheus text), per webhook (label {@code webhook}). */
  public String metricsText() {
    StringBuilder out = new StringBuilder(512);
    List<Stats> stats = stats();
    PrometheusText.header(out, "mlserve_alert_notifications_total", "counter",
        "Alert notification batches per webhook: delivered, or failed after every attempt.");
    for (Stats s : stats) {
      line(out, "mlserve_alert_notifications_total", s, ",result=\"delivered\"", s.delivered());
      line(out, "mlserve_alert_notifications_total", s, ",result=\"failed\"", s.failed());
    }
    PrometheusText.header(out, "mlserve_alert_notifications_dropped_total", "counter",
        "Batches dropped, oldest first, because the webhook's queue was full.");
    stats.forEach(s -> line(out, "mlserve_alert_notifications_dropped_total", s, "",
        s.dropped()));
    PrometheusText.header(out, "mlserve_alert_notifications_queued", "gauge",
        "Batches waiting for the webhook now.");
    stats.forEach(s -> line(out, "mlserve_alert_notifications_queued", s, "", s.queued()));
    return out.toString();
  }

  private static void line(StringBuilder out, String name, Stats s, String extra, long v) {
    out.append(name).append("{webhook=\"").append(PrometheusText.escape(s.webhook()))
        .append('"').append(extra).append("} ").append(v).append('\n');
  }

  /** Stops the senders; queued notifications are dropped. */
  @Override
  public void close() {
    senders.forEach(Sender::close);
  }

  /** One webhook's queue and sender thread. */
  private static final class Sender {
    private final WebhookConfig webhook;
    private final String shown;
    private final Sleeper sleeper;
    private final int capacity;
    private final HttpClient client;
    private final Thread thread;
    // @GuardedBy("this")
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    // @GuardedBy("this")
    private boolean closed;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong attempts = new AtomicLong();

    Sender(WebhookConfig webhook, Sleeper sleeper, int capacity) {
      this.webhook = webhook;
      this.shown = WebhookConfig.shown(webhook.url());
      this.sleeper = sleeper;
      this.capacity = capacity;
      this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(webhook.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
      this.thread = new Thread(this::run, "mlserve-alert-webhook");
      thread.setDaemon(true);
    }

    synchronized void offer(byte[] body) {
      if (closed) {
        return;
      }
      if (queue.size() >= capacity) {
        queue.pollFirst();
        dropped.incrementAndGet();
      }
      queue.addLast(body);
      notifyAll();
    }

    private synchronized byte[] take() throws InterruptedException {
      while (queue.isEmpty() && !closed) {
        wait();
      }
      return closed ? null : queue.pollFirst();
    }

    synchronized Stats stats() {
      return new Stats(shown, delivered.get(), failed.get(), dropped.get(), queue.size(),
          attempts.get());
    }

    void close() {
      synchronized (this) {
        closed = true;
        queue.clear();
        notifyAll();
      }
      thread.interrupt();
    }

    private void run() {
      try {
        byte[] body;
        while ((body = take()) != null) {
          deliver(body);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void deliver(byte[] body) throws InterruptedException {
      HttpRequest request = HttpRequest.newBuilder(webhook.url()).timeout(webhook.timeout())
          .header("Content-Type", "application/json")
          .header("User-Agent", "mlserve-alerts")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      String why = null;
      for (int attempt = 1; attempt <= webhook.maxAttempts(); attempt++) {
        attempts.incrementAndGet();
        try {
          int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
          if (status / 100 == 2) {
            delivered.incrementAndGet();
            return;
          }
          why = "HTTP " + status;
          if (status / 100 != 5 && status != 408 && status != 429) {
            break; // the receiver refuses this body: another attempt would not change that
          }
        } catch (IOException e) {
          why = describe(e);
        }
        if (attempt < webhook.maxAttempts()) {
          sleeper.sleep(backoff(attempt));
        }
      }
      failed.incrementAndGet();
      log.warn("alert webhook {}: notification not delivered ({})", shown, why);
    }

    private static String describe(IOException e) {
      if (e instanceof java.net.http.HttpTimeoutException) {
        return "timed out";
      }
      if (e instanceof java.net.ConnectException) {
        return "connection refused";
      }
      return e.getMessage() == null ? "I/O error" : e.getMessage();
    }
  }

  /** The wait after failed attempt {@code attempt} (1-based): 1 s doubling, at most 60 s. */
  static Duration backoff(int attempt) {
    long millis = FIRST_BACKOFF.toMillis() << Math.min(attempt - 1, 20);
    return Duration.ofMillis(Math.min(millis, MAX_BACKOFF.toMillis()));
  }
}
