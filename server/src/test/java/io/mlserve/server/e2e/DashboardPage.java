package io.mlserve.server.e2e;

import io.mlserve.server.testing.Chromium;
import io.mlserve.server.testing.DemoModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard at {@code /ui/} in one headless Chromium tab, read through the stable ids and
 * {@code data-*} attributes that docs/dashboard-ui.md lists: opens a view, waits (always with a
 * deadline) for it to have refreshed, reads its figures, saves screenshots under
 * {@code server/target/dashboard-screenshots/}, and keeps every SEVERE entry of the browser
 * console. Not thread-safe: one test thread drives it.
 */
final class DashboardPage implements AutoCloseable {
  /** The longest any one view may take to show what a test waits for. */
  static final Duration WAIT = Duration.ofSeconds(45);
  /** The page's size in CSS pixels: the screenshots' size. */
  static final int WIDTH = 1200;
  static final int HEIGHT = 800;

  private final ChromeDriver driver;
  private final Path screenshots;
  private final List<String> consoleErrors = new ArrayList<>();
  private String base;

  DashboardPage(String who, Path userDataDir) throws IOException {
    this.driver = Chromium.start(who, userDataDir, WIDTH, HEIGHT);
    try {
      // --window-size is the window's: grow it by what the headless frame takes, so that the
      // page (and every screenshot) is WIDTH x HEIGHT.
      long inner = (Long) script("return window.innerHeight");
      driver.manage().window().setSize(new Dimension(WIDTH, (int) (2L * HEIGHT - inner)));
    } catch (RuntimeException e) {
      driver.quit();
      throw e;
    }
    this.screenshots = Files.createDirectories(
        DemoModel.repoRoot().resolve("server/target/dashboard-screenshots"));
  }

  /** Points the page at another server (e.g. after a restart on a new port). */
  void server(int httpPort) {
    base = "http://127.0.0.1:" + httpPort;
  }

  /**
   * Opens {@code #/<route>} (e.g. {@code overview}, {@code live/curve_forecaster}) with a fresh
   * load of {@code /ui/}, and waits until the view has rendered and refreshed once.
   */
  void open(String route) {
    load(route);
    String view = route.split("[/?]", 2)[0];
    await("the " + view + " view refreshed", d -> view.equals(attr("view", "data-view"))
        && !attr("view", "data-refreshed").isEmpty());
  }

  /**
   * Loads {@code /ui/#/<route>} afresh (nothing of the last view's state, e.g. its
   * {@code data-refreshed}, is left), waiting for the document's load only, not for its data.
   */
  void load(String route) {
    blank();
    driver.get(base + "/ui/#/" + route);
  }

  /**
   * Runs in the page until {@code condition} (a JS expression) holds, checked every animation
   * frame for at most {@code atMost}; returns {@code performance.now()} then (ms since the
   * navigation started), or -1 when it did not hold in time.
   */
  double whenTrue(String condition, Duration atMost) {
    Object t = asyncScript("const done = arguments[arguments.length - 1];"
        + "const until = performance.now() + arguments[0];"
        + "(function poll() {"
        + "  if (" + condition + ") { done(performance.now()); }"
        + "  else if (performance.now() > until) { done(-1); }"
        + "  else { requestAnimationFrame(poll); } })();", atMost.toMillis());
    return ((Number) t).doubleValue();
  }

  /** Leaves the dashboard (no tab polls the server): an empty page. */
  void blank() {
    driver.get("about:blank");
  }

  /** Waits up to {@link #WAIT} for {@code condition}; fails naming {@code what}. */
  <T> T await(String what, Function<WebDriver, T> condition) {
    return await(what, WAIT, condition);
  }

  <T> T await(String what, Duration atMost, Function<WebDriver, T> condition) {
    WebDriverWait wait = new WebDriverWait(driver, atMost, Duration.ofMillis(100));
    // The views re-render on every poll: an element found a moment ago may be gone; look again.
    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    wait.withMessage(() -> what + " (status line: '" + text("status") + "', console errors: "
        + consoleErrors() + ")");
    return wait.until(d -> {
      T v = condition.apply(d);
      return v instanceof Boolean b && !b ? null : v;
    });
  }

  /** An attribute of the element with {@code id}; "" where either is missing. */
  String attr(String id, String name) {
    List<WebElement> e = driver.findElements(By.id(id));
    String v = e.isEmpty() ? null : e.get(0).getAttribute(name);
    return v == null ? "" : v;
  }

  String text(String id) {
    List<WebElement> e = driver.findElements(By.id(id));
    return e.isEmpty() ? "" : e.get(0).getText();
  }

  List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  Object asyncScript(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeAsyncScript(js, args);
  }

  /** Saves the visible page as {@code <name>.png}; returns the file. */
  Path screenshot(String name) throws IOException {
    Path out = screenshots.resolve(name + ".png");
    Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, out, StandardCopyOption.REPLACE_EXISTING);
    Files.deleteIfExists(shot);
    return out;
  }

  /** Every SEVERE browser console entry so far (reading the log drains it; kept here). */
  List<String> consoleErrors() {
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
        consoleErrors.add(e.getMessage());
      }
    }
    return List.copyOf(consoleErrors);
  }

  @Override
  public void close() {
    driver.quit();
  }
}
