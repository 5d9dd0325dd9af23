package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;

/**
 * The built-in dashboard in a real browser: starts {@code bin/mlserve demo} on a kept store over
 * loopback, as the README does, sends it REST traffic, and opens {@code /ui/} in headless
 * Chromium: the Overview lists the demo model and its Production version; the Live view's
 * figures move while traffic runs; the Model view shows the stage history; every other view
 * opens; after a restart of the server on the same store, History shows the points written
 * before it; and the browser console has no error. Each check is a step of its own, so one that
 * fails does not hide the others; screenshots of every view go to
 * {@code server/target/dashboard-screenshots/}. With {@code -Dmlserve.dashboard.png=FILE} the
 * Live view's screenshot is also copied to FILE (how docs/dashboard.png is made).
 */
class DashboardIT {
  private static final String MODEL = "curve_forecaster";

  @TempDir Path tmp;
  private LauncherProcess demo;
  private DashboardPage page;
  private RestTraffic traffic;

  @AfterEach
  void stop() throws Exception {
    try {
      if (traffic != null) {
        traffic.close();
      }
    } finally {
      if (page != null) {
        page.close();
      }
      if (demo != null) {
        try {
          demo.terminate();
          demo.awaitExit(60, TimeUnit.SECONDS);
        } finally {
          demo.close(); // killed if the graceful stop did not end it
        }
      }
    }
  }

  private int startDemo() throws Exception {
    demo = LauncherProcess.startInTmp(tmp,
        "demo", "--store", tmp.resolve("store").toString(), "--grpc-port", "0",
        "--http-port", "0", "--bind", "127.0.0.1");
    Matcher ready = demo.awaitReady();
    return Integer.parseInt(ready.group(2));
  }

  @TestFactory
  List<DynamicTest> theDashboardShowsTheDemoInAHeadlessBrowser() throws Exception {
    page = new DashboardPage("DashboardIT", Files.createDirectories(tmp.resolve("chromium")));
    int httpPort = startDemo();
    page.server(httpPort);
    traffic = new RestTraffic(httpPort, MODEL);
    traffic.send(20);
    return List.of(
        dynamicTest("Overview lists the model and its Production version", () -> {
          page.open("overview");
          String row = "#overview-table tr[data-model='" + MODEL + "'][data-version='1.0.0']";
          WebElement r = page.await("a row for " + MODEL + " 1.0.0",
              d -> page.all(row).isEmpty() ? null : page.all(row).get(0));
          assertEquals("Production", r.getAttribute("data-stage"));
          assertEquals(MODEL, page.all(row + " td[data-field='model']").get(0).getText());
          page.screenshot("overview");
        }),
        dynamicTest("Live: the figures move while traffic runs", () -> {
          traffic.pace(Duration.ofMillis(200));
          traffic.start(Duration.ofSeconds(120));
          try {
            liveFiguresMove();
          } finally {
            traffic.stop(); // also when it failed: the later steps restart the server
          }
        }),
        dynamicTest("Model view shows the stage history", () -> {
          page.open("model/" + MODEL);
          List<WebElement> rows = page.await("stage history rows",
              d -> page.all("#model-history tbody tr").isEmpty() ? null
                  : page.all("#model-history tbody tr"));
          // When, Version, From, To, Actor, Reason: the demo promoted 1.0.0 to Production.
          assertTrue(rows.stream().anyMatch(r -> "1.0.0".equals(r.getAttribute("data-version"))
              && r.getText().contains("Production")), () -> rows.stream()
                  .map(WebElement::getText).toList().toString());
          assertFalse(page.all("#model-versions tr[data-version='1.0.0']").isEmpty());
          page.screenshot("model");
        }),
        dynamicTest("the other views open", () -> {
          for (String view : List.of("experiments/" + MODEL, "technical", "usage")) {
            page.open(view);
            page.screenshot(view.split("/")[0]);
          }
        }),
        dynamicTest("History shows the points written before a restart", () -> {
          long before = Instant.now().getEpochSecond();
          page.blank();
          demo.terminate();
          demo.awaitExit(60, TimeUnit.SECONDS);
          // A graceful stop writes the open history buckets; its exit code is SIGTERM's.
          assertTrue(demo.output().contains("mlserve: stopped"), demo.output()::toString);
          int port = startDemo();
          page.server(port);
          long earliest = earliestHistoryPoint(port);
          assertTrue(earliest < before, "no history point from before the restart at " + before
              + " (earliest " + earliest + ")");
          page.open("history/" + MODEL + "?range=1h");
          String points = page.await("history points",
              d -> Integer.parseInt("0" + page.attr("history", "data-history-points")) > 0
                  ? page.attr("history", "data-history-points") : null);
          assertFalse(page.all("#history-body .history-chart[data-metric='rate'] canvas")
              .isEmpty(), "no rate chart drawn");
          page.screenshot("history");
          System.out.println("DashboardIT: history after the restart: " + points + " points");
        }),
        dynamicTest("no browser console errors", () -> {
          List<String> errors = page.consoleErrors();
          // The channel works: an error logged now is read back (and is the only one).
          page.script("console.error('DashboardIT probe')");
          List<String> probed = page.await("the probe in the browser log",
              d -> page.consoleErrors().size() > errors.size() ? page.consoleErrors() : null);
          assertTrue(probed.get(probed.size() - 1).contains("DashboardIT probe"),
              probed::toString);
          assertEquals(List.of(), errors);
        }));
  }

  /**
   * The README's picture: the Live view after a minute of traffic whose pace changes every 10 s
   * (the pace shapes the picture; no check waits on it), copied to {@code file}.
   */
  private void liveFiguresMove() throws Exception {
    page.open("live/" + MODEL);
    String rate = ".live-version[data-model='" + MODEL + "'][data-version='1.0.0']"
        + " [data-live-rate]";
    String first = page.await("a live request rate above 0", d -> positive(page, rate));
    String refreshed = page.attr("view", "data-refreshed");
    traffic.pace(Duration.ofMillis(10)); // more traffic: the rate must follow
    String moved = page.await("the live rate to move from " + first,
        d -> {
          String now = positive(page, rate);
          return now != null && !now.equals(first) ? now : null;
        });
    assertNotEquals(refreshed, page.attr("view", "data-refreshed"), "no refresh");
    page.await("a latency figure", d -> positive(page,
        ".live-version[data-version='1.0.0'] [data-live-p99]"));
    page.screenshot("live");
    System.out.println("DashboardIT: live rate moved " + first + " -> " + moved + " req/s"
        + " (" + traffic.sent() + " requests sent)");
    String readme = System.getProperty("mlserve.dashboard.png");
    if (readme != null) {
      readmeScreenshot(Path.of(readme));
    }
  }

  private void readmeScreenshot(Path file) throws Exception {
    for (int gap : new int[] {40, 15, 60, 25, 10, 30}) {
      traffic.pace(Duration.ofMillis(gap));
      TimeUnit.SECONDS.sleep(10);
    }
    Files.copy(page.screenshot("readme"), file, StandardCopyOption.REPLACE_EXISTING);
  }

  /** A positive number in the attribute of the first element {@code css} names, or null. */
  private static String positive(DashboardPage page, String css) {
    List<WebElement> e = page.all(css);
    if (e.isEmpty()) {
      return null;
    }
    String v = e.get(0).getAttribute(css.substring(css.lastIndexOf('[') + 1, css.length() - 1));
    try {
      return v != null && Double.parseDouble(v) > 0 ? v : null;
    } catch (NumberFormatException notYet) {
      return null;
    }
  }

  /** The earliest second of the demo model's rate history over the last hour, from the API. */
  private static long earliestHistoryPoint(int port) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + port + "/api/v1/metrics/history?series=rate&model=" + MODEL
                + "&range=1h")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    long earliest = Long.MAX_VALUE;
    for (JsonNode s : new ObjectMapper().readTree(r.body()).get("series")) {
      for (JsonNode t : s.get("seconds")) {
        earliest = Math.min(earliest, t.asLong());
      }
    }
    return earliest;
  }
}
