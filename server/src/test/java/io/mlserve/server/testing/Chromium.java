package io.mlserve.server.testing;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Starts a headless Chromium driven by chromedriver (Debian's {@code chromium} and
 * {@code chromium-driver}) for the dashboard's browser tests. Both are found on the PATH, or named
 * with {@code -Dmlserve.chromium=PATH} and {@code -Dmlserve.chromedriver=PATH} (a path that is not
 * an executable, e.g. {@code none}, shows the skip). Where either is missing the calling test is
 * aborted with a WARNING line in the build output, as {@link Promtool} does; with {@code CI} set
 * it fails instead ({@code .ci/run} installs both). Nothing is downloaded: the driver is the one
 * named, never Selenium Manager's. Stateless; thread-safe.
 */
public final class Chromium {
  /** Bound on a page load (navigation) and on one script run in the page. */
  public static final Duration PAGE_LOAD = Duration.ofSeconds(60);
  public static final Duration SCRIPT = Duration.ofSeconds(20);

  private Chromium() {}

  /** The browser binary and its driver. */
  public record Installation(Path browser, Path driver) {}

  /**
   * A new headless Chromium with a window of {@code width} x {@code height}, its profile in
   * {@code userDataDir} (a fresh directory), the browser console log kept for
   * {@code driver.manage().logs().get(LogType.BROWSER)}; {@code who} names the test in the skip
   * warning. The caller quits the driver.
   *
   * @throws org.opentest4j.TestAbortedException where Chromium is missing outside CI
   */
  public static ChromeDriver start(String who, Path userDataDir, int width, int height) {
    Installation chromium = required(who);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.browser().toFile());
    options.addArguments("--headless=new", "--user-data-dir=" + userDataDir.toAbsolutePath(),
        "--window-size=" + width + "," + height, "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--no-default-browser-check", "--disable-extensions",
        "--disable-background-networking", "--disable-component-update", "--hide-scrollbars");
    if ("root".equals(System.getProperty("user.name"))) {
      options.addArguments("--no-sandbox"); // Chromium refuses to run as root with its sandbox
    }
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(chromium.driver().toFile())
        .usingAnyFreePort()
        .withTimeout(Duration.ofSeconds(60))
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    try {
      driver.manage().timeouts().pageLoadTimeout(PAGE_LOAD);
      driver.manage().timeouts().scriptTimeout(SCRIPT);
      driver.manage().timeouts().implicitlyWait(Duration.ZERO); // every wait is explicit
    } catch (RuntimeException e) {
      driver.quit();
      throw e;
    }
    return driver;
  }

  private static Installation required(String who) {
    Optional<Installation> found = find();
    if (found.isEmpty()) {
      assertNull(System.getenv("CI"),
          "CI must have chromium and chromedriver (.ci/run installs them)");
      System.err.println("WARNING: " + who + ": chromium or chromedriver not found (on the PATH,"
          + " or where -Dmlserve.chromium / -Dmlserve.chromedriver name them); its browser tests"
          + " are SKIPPED (install them, e.g. apt-get install chromium chromium-driver, to run"
          + " them)");
      Assumptions.abort("chromium or chromedriver not installed: browser checks skipped");
    }
    return found.get();
  }

  /** Chromium and chromedriver, where both are found. */
  public static Optional<Installation> find() {
    Optional<Path> browser = executable("mlserve.chromium", List.of("chromium",
        "chromium-browser"));
    Optional<Path> driver = executable("mlserve.chromedriver", List.of("chromedriver"));
    return browser.isPresent() && driver.isPresent()
        ? Optional.of(new Installation(browser.get(), driver.get())) : Optional.empty();
  }

  private static Optional<Path> executable(String property, List<String> names) {
    String named = System.getProperty(property);
    if (named != null) {
      return Stream.of(Path.of(named)).filter(Files::isExecutable).findFirst();
    }
    List<String> dirs = Stream.of(System.getenv().getOrDefault("PATH", "")
        .split(File.pathSeparator)).filter(d -> !d.isBlank()).toList();
    return names.stream().flatMap(n -> dirs.stream().map(d -> Path.of(d, n)))
        .filter(Files::isExecutable).findFirst();
  }
}
