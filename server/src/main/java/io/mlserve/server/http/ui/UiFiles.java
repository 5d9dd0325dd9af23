package io.mlserve.server.http.ui;

import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.http.route.Routes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard's static files, served from the jar: {@code GET /ui} and {@code /ui/} answer
 * {@code index.html}, {@code /ui/<file>} the files under {@value #UI_ROOT}, and
 * {@code /ui/vendor/uplot/<file>} uPlot's {@code dist/} files from its webjar; {@code GET /}
 * redirects to {@code /ui/}. No build step: the files are what the browser runs.
 *
 * <p>Only paths of plain names ({@code [A-Za-z0-9_-]} and inner dots, no {@code .} or
 * {@code ..} segment, no backslash) are looked up, each under a fixed resource prefix, so no
 * request reaches another resource (a refused path is a 404 naming it). Every answer has the
 * content type of its extension, {@code X-Content-Type-Options: nosniff} and an ETag; the
 * page's own files are {@code no-cache} (revalidated, so an upgrade shows at once), the pinned
 * vendor files cached a day. {@code index.html} carries a Content-Security-Policy allowing
 * scripts from this origin only. Files are read once and kept (a few hundred KB in all, the
 * set of names bounded by what the jar holds). This class is thread-safe.
 */
public final class UiFiles {
  static final String UI_ROOT = "io/mlserve/ui/";
  static final String UPLOT_ROOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' "
      + "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
      + "base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "svg", "image/svg+xml",
      "png", "image/png",
      "ico", "image/x-icon",
      "json", "application/json",
      "txt", "text/plain; charset=utf-8");

  private record File(byte[] body, String type, String etag) {}

  private final ClassLoader loader;
  private final Map<String, File> cache = new ConcurrentHashMap<>();

  public UiFiles() {
    this(UiFiles.class.getClassLoader());
  }

  UiFiles(ClassLoader loader) {
    this.loader = loader;
  }

  public void register(Routes routes) {
    routes.add("GET", "/", c -> CompletableFuture.completedFuture(
        new HttpReply(302, null, new byte[0], Map.of("Location", "/ui/"))))
        .add("GET", "/ui", c -> CompletableFuture.completedFuture(
            serve(c, UI_ROOT, "index.html", false)))
        .add("GET", "/ui/vendor/uplot/{file...}", c -> CompletableFuture.completedFuture(
            serve(c, UPLOT_ROOT, c.param("file"), true)))
        .add("GET", "/ui/{file...}", c -> CompletableFuture.completedFuture(
            serve(c, UI_ROOT, c.param("file"), false)));
  }

  private HttpReply serve(HttpCall c, String root, String path, boolean vendor) {
    File f = file(root, path).orElseThrow(() -> new HttpStatusException(404,
        "no such file: " + c.path()));
    String cache = vendor ? "public, max-age=86400" : "no-cache";
    if (f.etag.equals(c.header("If-None-Match"))) {
      return new HttpReply(304, null, new byte[0], Map.of("ETag", f.etag,
          "Cache-Control", cache));
    }
    HttpReply r = new HttpReply(200, f.type, f.body, Map.of("ETag", f.etag,
        "Cache-Control", cache, "X-Content-Type-Options", "nosniff"));
    return f.type.startsWith("text/html") ? r.withHeader("Content-Security-Policy", CSP)
        .withHeader("X-Frame-Options", "DENY") : r;
  }

  /** The file at {@code path} under {@code root}; empty when the path is refused or absent. */
  Optional<File> file(String root, String path) {
    String type = type(path);
    if (type == null) {
      return Optional.empty();
    }
    for (String seg : path.split("/", -1)) {
      if (!SEGMENT.matcher(seg).matches()) {
        return Optional.empty();
      }
    }
    String resource = root + path;
    File f = cache.get(resource);
    if (f == null) {
      f = load(resource);
      if (f != null) { // misses are not kept: the cache holds only what the jar has
        cache.putIfAbsent(resource, f);
      }
    }
    return Optional.ofNullable(f);
  }

  private File load(String resource) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        return null;
      }
      byte[] body = in.readAllBytes();
      return new File(body, type(resource), etag(body));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the dashboard file " + resource, e);
    }
  }

  private static String type(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? null : TYPES.get(path.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  private static String etag(byte[] body) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(body);
      return "\"" + HexFormat.of().formatHex(d, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
