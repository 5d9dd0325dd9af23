package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an open dashboard tab costs the server, measured two ways on a launched server's
 * {@code process_cpu_seconds_total} (nanosecond resolution):
 * <ol>
 *   <li>{@link #window}: the server's CPU share (CPU seconds per wall second; 1.0 = one core)
 *       over a window with the tab on a view, and the URLs the page fetched in it (the page's
 *       Resource Timing entries). Compared with a window with no tab this is the honest figure,
 *       but an idle server's own background work varies by about a percent of a core between
 *       windows, as much as the difference sought.
 *   <li>{@link #replay}: the same URLs sent again back to back, many windows' worth, from this
 *       JVM: the server CPU they take, less the idle share over the time they took, per window
 *       of the tab. Far above the noise, so it resolves a fraction of a percent.
 * </ol>
 * Not thread-safe; one test drives it.
 */
final class PollingCost {
  private static final Pattern CPU =
      Pattern.compile("(?m)^process_cpu_seconds_total (\\S+)$");

  private final int port;
  private final DashboardPage page;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();

  PollingCost(int port, DashboardPage page) {
    this.port = port;
    this.page = page;
  }

  /** A window's figures: the server's CPU share, and the URLs the page fetched in it. */
  record Window(double cpuShare, List<String> fetched) {}

  /**
   * Measures a window of {@code seconds} with the tab as it is (on a view, or blank: no tab).
   */
  Window window(int seconds, boolean tab) throws Exception {
    double t0page = tab ? ((Number) page.script("return performance.now()")).doubleValue() : 0;
    double cpu0 = cpuSeconds();
    long t0 = System.nanoTime();
    // The measurement window itself: nothing waits here for a result.
    TimeUnit.SECONDS.sleep(seconds);
    double cpu1 = cpuSeconds();
    double wall = (System.nanoTime() - t0) / 1e9;
    List<String> fetched = List.of();
    if (tab) {
      @SuppressWarnings("unchecked")
      List<String> urls = (List<String>) page.script("return performance"
          + ".getEntriesByType('resource').filter(e => e.startTime >= arguments[0]"
          + " && e.initiatorType === 'fetch').map(e => e.name)", t0page);
      fetched = List.copyOf(urls);
    }
    return new Window((cpu1 - cpu0) / wall, fetched);
  }

  /**
   * Sends {@code urls} (one window's fetches) {@code windows} times back to back and returns the
   * server CPU they added per second of the tab's window of {@code seconds}: (CPU used - idle
   * share x time taken) / (windows x seconds).
   */
  double replay(List<String> urls, int windows, int seconds, double idleShare)
      throws Exception {
    assertTrue(!urls.isEmpty(), "the page fetched nothing in its window");
    send(urls); // warm-up
    double cpu0 = cpuSeconds();
    long t0 = System.nanoTime();
    for (int i = 0; i < windows; i++) {
      send(urls);
    }
    double cpu1 = cpuSeconds();
    double wall = (System.nanoTime() - t0) / 1e9;
    return (cpu1 - cpu0 - idleShare * wall) / ((double) windows * seconds);
  }

  private void send(List<String> urls) throws Exception {
    for (String url : urls) {
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url))
          .header("Accept", "application/json").timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.discarding());
      assertEquals(200, r.statusCode(), url);
    }
  }

  private double cpuSeconds() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    Matcher m = CPU.matcher(r.body());
    assertTrue(m.find(), "no process_cpu_seconds_total in /metrics");
    return Double.parseDouble(m.group(1));
  }
}
