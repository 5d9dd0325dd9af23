package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.testing.Chromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.chrome.ChromeDriver;

/** The dashboard at {@code /ui/} in headless Chromium, against {@code bin/mlserve demo}. */
class DashboardIT {
  private static final Pattern READY =
      Pattern.compile("^mlserve: ready grpc_port=(\\d+) http_port=(\\d+)$");

  @TempDir Path tmp;
  private LauncherProcess demo;
  private ChromeDriver browser;

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (demo != null) {
      demo.terminate();
      demo.awaitExit(60, TimeUnit.SECONDS);
      demo.close();
    }
  }

  @Test
  void opensTheDashboard() throws Exception {
    browser = Chromium.start("DashboardIT", Files.createDirectories(tmp.resolve("chromium")),
        1200, 800);
    Path jvmTmp = Files.createDirectories(tmp.resolve("jvm-tmp"));
    demo = LauncherProcess.start(Map.of("MLSERVE_JAVA_OPTS", "-Djava.io.tmpdir=" + jvmTmp),
        "demo", "--store", tmp.resolve("store").toString(), "--grpc-port", "0",
        "--http-port", "0", "--bind", "127.0.0.1");
    Matcher ready = demo.awaitLine(READY, LauncherProcess.START_SECONDS, TimeUnit.SECONDS);
    browser.get("http://127.0.0.1:" + ready.group(2) + "/ui/");
    System.out.println("DashboardIT: title " + browser.getTitle());
    assertTrue(browser.getTitle().contains("mlserve"), browser.getTitle());
  }
}
