package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard at scale and what it costs the server: a store of {@value #MODELS} fixture models
 * x 3 versions (the demo artifact under other names; Production, Staging and an older one each)
 * served by {@code bin/mlserve serve}, opened in headless Chromium. Measures, in the page
 * ({@code performance.now()}), how long the Overview takes from navigation to all
 * {@value #MODELS} models rendered, one Overview refresh, and opening a Model view; asserts only
 * generous bounds. Then measures the server's CPU ({@code process_cpu_seconds_total}) over
 * {@value #WINDOW_SECONDS} s with no tab open, the same with one tab on the Live view and on the
 * Overview, and with no tab again, idle traffic otherwise, then replays each tab's fetches many windows' worth
 * ({@link PollingCost}), and reports the CPU the polling adds as a share of one core
 * (docs/benchmarks.md): a measurement, not an assertion. The figures are printed and written to
 * {@code server/target/dashboard-cost.txt}.
 */
class DashboardScaleIT {
  static final int MODELS = 20;
  static final int WINDOW_SECONDS = 20;
  /** How many windows' worth of a tab's fetches are replayed. */
  static final int REPLAYS = 20;
  private static final String[] VERSIONS = {"1.0.0", "1.1.0", "1.2.0"};
  /** Within the driver's script timeout ({@code Chromium.SCRIPT}). */
  private static final Duration SCRIPT_WAIT = Duration.ofSeconds(15);

  @TempDir Path tmp;
  private LauncherProcess server;
  private DashboardPage page;

  @AfterEach
  void stop() throws Exception {
    try {
      if (page != null) {
        page.close();
      }
    } finally {
      if (server != null) {
        try {
          server.terminate();
          server.awaitExit(60, TimeUnit.SECONDS);
        } finally {
          server.close(); // killed if the graceful stop did not end it
        }
      }
    }
  }

  @Test
  void twentyModelsRenderAndOneTabCostsLittleCpu() throws Exception {
    page = new DashboardPage("DashboardScaleIT",
        Files.createDirectories(tmp.resolve("chromium")));
    Path store = fixtureStore(tmp.resolve("store"));
    server = LauncherProcess.startInTmp(tmp,
        "serve", "--store", store.toString(), "--grpc-port", "0", "--http-port", "0",
        "--bind", "127.0.0.1");
    Matcher ready = server.awaitReady();
    int port = Integer.parseInt(ready.group(2));
    page.server(port);
    for (int m = 0; m < MODELS; m++) {
      try (RestTraffic t = new RestTraffic(port, model(m))) {
        t.send(3);
      }
    }
    StringBuilder report = new StringBuilder();

    // Overview: navigation start to every model's rows in the table, timed in the page.
    page.load("overview");
    double overviewMs = page.whenTrue("document.querySelectorAll("
        + "\"#overview-table[data-models='" + MODELS + "'] tbody tr\").length === "
        + MODELS * VERSIONS.length, SCRIPT_WAIT);
    assertTrue(overviewMs >= 0, "the Overview did not show all " + MODELS + " models in time");
    String refreshed = page.await("the Overview's first refresh done",
        d -> page.attr("view", "data-refreshed").isEmpty() ? null
            : page.attr("view", "data-refreshed"));
    page.await("a second Overview refresh",
        d -> !refreshed.equals(page.attr("view", "data-refreshed")));
    double refreshMs = Double.parseDouble(page.attr("view", "data-refresh-ms"));
    page.screenshot("scale-overview");

    // Overview -> Model view of one fixture model, as a click on its name does.
    double t0 = ((Number) page.script("location.hash = '#/model/' + arguments[0];"
        + " return performance.now();", model(7))).doubleValue();
    double modelMs = page.whenTrue("document.querySelector('#model-history tbody tr')"
        + " && document.getElementById('model').getAttribute('data-model') === '" + model(7)
        + "'", SCRIPT_WAIT) - t0;
    assertTrue(modelMs >= 0, "the Model view did not render in time");
    page.screenshot("scale-model");
    report.append(String.format(Locale.ROOT, "overview_render_ms %.0f%noverview_refresh_ms %.0f%n"
        + "model_view_ms %.0f%n", overviewMs, refreshMs, modelMs));
    // Generous bounds: the page must stay usable on a loaded 2-core machine, not be fast.
    assertTrue(overviewMs < 20_000, () -> "Overview took " + overviewMs + " ms: " + report);
    assertTrue(refreshMs < 10_000, () -> "an Overview refresh took " + refreshMs + " ms");

    // CPU the polling adds: the same window with no tab, one tab on Live, one on Overview;
    // then each tab's fetches replayed, many windows' worth (see PollingCost).
    PollingCost cost = new PollingCost(port, page);
    page.open("live/" + model(0)); // warm-up: the Live endpoint's first calls
    page.blank();
    PollingCost.Window none = cost.window(WINDOW_SECONDS, false);
    page.open("live/" + model(0));
    PollingCost.Window live = cost.window(WINDOW_SECONDS, true);
    page.open("overview");
    PollingCost.Window overview = cost.window(WINDOW_SECONDS, true);
    page.blank();
    PollingCost.Window noneAgain = cost.window(WINDOW_SECONDS, false);
    double idle = (none.cpuShare() + noneAgain.cpuShare()) / 2; // before and after the tabs
    double liveReplay = cost.replay(live.fetched(), REPLAYS, WINDOW_SECONDS, idle);
    double overviewReplay = cost.replay(overview.fetched(), REPLAYS, WINDOW_SECONDS, idle);
    report.append(String.format(Locale.ROOT, "window_seconds %d%n"
        + "cpu_share_no_tab %.5f%ncpu_share_live_tab %.5f%ncpu_share_overview_tab %.5f%n"
        + "cpu_share_no_tab_again %.5f%n"
        + "live_fetches_per_window %d%noverview_fetches_per_window %d%n"
        + "added_live_windows %.5f%nadded_overview_windows %.5f%n"
        + "added_live_replay %.5f%nadded_overview_replay %.5f%n", WINDOW_SECONDS,
        none.cpuShare(), live.cpuShare(), overview.cpuShare(), noneAgain.cpuShare(),
        live.fetched().size(), overview.fetched().size(), live.cpuShare() - idle,
        overview.cpuShare() - idle, liveReplay, overviewReplay));
    System.out.print("DashboardScaleIT:\n" + report);
    Files.writeString(DemoModel.repoRoot().resolve("server/target/dashboard-cost.txt"),
        report.toString(), StandardCharsets.UTF_8);
    assertEquals(java.util.List.of(), page.consoleErrors());
  }

  private static String model(int i) {
    return String.format(Locale.ROOT, "fixture_%02d", i);
  }

  /**
   * {@value #MODELS} models, each the demo artifact registered as 1.0.0, 1.1.0 and 1.2.0: 1.0.0
   * then 1.1.0 promoted to Production, 1.2.0 to Staging.
   */
  static Path fixtureStore(Path dir) {
    ModelStore store = ModelStore.open(dir);
    RegisterRequest demo = RegisterRequest.fromManifestFile(
        DemoModel.dir().resolve("model.json"), "test");
    try (EventLog events = EventLog.open(store.root())) {
      ModelRegistry registry =
          new ModelRegistry(store, events, ArtifactValidator.none(), Clock.systemUTC());
      for (int m = 0; m < MODELS; m++) {
        for (String v : VERSIONS) {
          registry.register(new RegisterRequest(model(m), v, demo.artifact(), demo.format(),
              demo.signature(), demo.serving(), null, demo.params(), demo.metrics(),
              "fixture for the dashboard's scale test", null, "test"));
        }
        registry.promote(model(m), "1.0.0", Stage.PRODUCTION, "test", "first release");
        registry.promote(model(m), "1.1.0", Stage.PRODUCTION, "test", "better");
        registry.promote(model(m), "1.2.0", Stage.STAGING, "test", "candidate");
      }
    }
    return store.root();
  }
}
