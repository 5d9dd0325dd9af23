package io.mlserve.server.http.inference;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mlserve.server.core.Failure;
import io.mlserve.server.history.HistoryReader;
import io.mlserve.server.history.LiveRing;
import io.mlserve.server.history.Metric;
import io.mlserve.server.history.MetricsHistory;
import io.mlserve.server.history.Resolution;
import io.mlserve.server.history.SeriesKey;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.json.Json;
import io.mlserve.store.IoErrors;
import io.mlserve.store.Names;
import java.io.IOException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dashboard's metrics as JSON (documented in docs/dashboard-api.md):
 * {@code GET /api/v1/metrics/live} (the last seconds, per version, process and transport, from
 * memory), {@code GET /api/v1/metrics/history} (downsampled points from the store, read on the
 * history's reader thread) and {@code GET /api/v1/metrics/series} (what exists). Every
 * parameter is checked; a bad or unknown one is a 400 naming it. This class is thread-safe.
 */
public final class MetricsApi {
  private static final Pattern RANGE = Pattern.compile("([1-9][0-9]{0,4})([mhd])");
  /** At most this range is kept in the 10 s resolution's answers; longer ranges read 1 min. */
  static final long FINE_MAX_SECONDS = 6 * 3600;
  static final int MAX_SERIES_NAMES = 16;

  private final MetricsHistory history;

  public MetricsApi(MetricsHistory history) {
    this.history = Objects.requireNonNull(history, "history");
  }

  public void register(Routes routes) {
    routes.add("GET", "/api/v1/metrics/live", c -> CompletableFuture.completedFuture(live(c)));
    routes.add("GET", "/api/v1/metrics/history", this::history);
    routes.add("GET", "/api/v1/metrics/series", c -> CompletableFuture.completedFuture(
        series(c)));
  }

  private HttpReply live(HttpCall c) {
    onlyParams(c, "model", "seconds");
    String model = model(c);
    int seconds = intParam(c, "seconds", 60, 1, history.live().seconds());
    LiveRing.Window w = history.live().read(seconds,
        k -> k.model() == null || model == null || k.model().equals(model));
    Map<String, Map<String, double[]>> versions = new LinkedHashMap<>();
    Map<String, double[]> process = new LinkedHashMap<>();
    Map<String, Map<String, double[]>> transports = new LinkedHashMap<>();
    w.values().forEach((k, v) -> {
      switch (k.metric().scope()) {
        case VERSION -> versions.computeIfAbsent(k.model() + "\u0000" + k.version(),
            x -> new LinkedHashMap<>()).put(k.metric().wireName(), v);
        case PROCESS -> process.put(k.metric().wireName(), v);
        case TRANSPORT -> transports.computeIfAbsent(k.transport(), x -> new LinkedHashMap<>())
            .put(k.metric().wireName(), v);
      }
    });
    return HttpReply.json(200, Json.write(4096, g -> {
      g.writeStartObject();
      g.writeNumberField("step_seconds", 1);
      g.writeArrayFieldStart("seconds");
      for (long t : w.seconds()) {
        g.writeNumber(t);
      }
      g.writeEndArray();
      g.writeArrayFieldStart("versions");
      for (Map.Entry<String, Map<String, double[]>> e : versions.entrySet()) {
        String[] mv = e.getKey().split("\u0000", 2);
        g.writeStartObject();
        g.writeStringField("model", mv[0]);
        g.writeStringField("version", mv[1]);
        seriesObject(g, e.getValue());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeFieldName("process");
      g.writeStartObject();
      seriesObject(g, process);
      g.writeEndObject();
      g.writeArrayFieldStart("transports");
      for (Map.Entry<String, Map<String, double[]>> e : transports.entrySet()) {
        g.writeStartObject();
        g.writeStringField("transport", e.getKey());
        seriesObject(g, e.getValue());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }));
  }

  private static void seriesObject(JsonGenerator g, Map<String, double[]> series)
      throws IOException {
    g.writeObjectFieldStart("series");
    for (Map.Entry<String, double[]> s : series.entrySet()) {
      g.writeArrayFieldStart(s.getKey());
      for (double v : s.getValue()) {
        number(g, v);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private static void number(JsonGenerator g, double v) throws IOException {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      g.writeNull();
    } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      g.writeNumber((long) v);
    } else {
      g.writeNumber((float) v); // 7 significant digits: plenty for a chart, half the bytes
    }
  }

  private CompletableFuture<HttpReply> history(HttpCall c) {
    onlyParams(c, "series", "model", "version", "transport", "range", "points");
    String names = c.queryParam("series");
    if (names == null || names.isBlank()) {
      throw HttpStatusException.badRequest("series is required: one or more of "
          + Metric.known() + ", comma-separated");
    }
    Set<Metric> metrics = EnumSet.noneOf(Metric.class);
    String[] parts = names.split(",", -1);
    if (parts.length > MAX_SERIES_NAMES) {
      throw HttpStatusException.badRequest("series names at most " + MAX_SERIES_NAMES
          + " metrics, got " + parts.length);
    }
    for (String p : parts) {
      Metric m = Metric.parse(p.trim());
      if (m == null) {
        throw HttpStatusException.badRequest("unknown series '" + printable(p)
            + "'; known: " + Metric.known());
      }
      metrics.add(m);
    }
    String model = model(c);
    String version = c.queryParam("version");
    if (version != null && model == null) {
      throw HttpStatusException.badRequest("version needs model");
    }
    String transport = c.queryParam("transport");
    String rangeText = c.queryParam("range") == null ? "1h" : c.queryParam("range");
    long range = range(rangeText);
    int points = intParam(c, "points", history.store() == null ? 1440
        : history.store().limits().maxPointsPerSeries(), 10,
        history.store() == null ? 1440 : history.store().limits().maxPointsPerSeries());
    if (!history.persisted()) {
      throw new HttpStatusException(404, "history is not kept: the server runs with"
          + " --no-history (GET /api/v1/metrics/live still answers)");
    }
    Resolution res = range <= FINE_MAX_SECONDS ? history.store().limits().fine()
        : history.store().limits().coarse();
    int step = (int) Math.max(1, (range + (long) res.seconds() * points - 1)
        / ((long) res.seconds() * points)) * res.seconds();
    long steps = (range + step - 1) / step;
    long now = Math.floorDiv(history.clock().millis(), 1000L);
    long to = now - Math.floorMod(now, (long) step) + step;
    long from = to - steps * step;
    Predicate<SeriesKey> which = k -> metrics.contains(k.metric())
        && (k.model() == null || model == null || k.model().equals(model))
        && (k.version() == null || version == null || k.version().equals(version))
        && (k.transport() == null || transport == null || k.transport().equals(transport));
    CompletableFuture<HistoryReader.Result> read;
    try {
      read = history.read(res, from, to, step, which);
    } catch (RejectedExecutionException busy) {
      throw new HttpStatusException(503, "too many history reads at once; retry in a second",
          Map.of("Retry-After", "1"));
    }
    return read.handle((r, error) -> {
      if (error != null) {
        Throwable e = Failure.unwrap(error);
        throw new HttpStatusException(500, "cannot read the history: "
            + (e instanceof IOException io ? IoErrors.reason(io) : "internal error"));
      }
      return HttpReply.json(200, Json.write(4096, g -> {
        g.writeStartObject();
        g.writeStringField("range", rangeText);
        g.writeStringField("resolution", res.name());
        g.writeNumberField("resolution_seconds", res.seconds());
        g.writeNumberField("step_seconds", step);
        g.writeNumberField("from", from);
        g.writeNumberField("to", to);
        g.writeBooleanField("truncated", r.truncated());
        g.writeArrayFieldStart("series");
        for (HistoryReader.SeriesPoints s : r.series()) {
          g.writeStartObject();
          key(g, s.key());
          g.writeStringField("fold", lower(s.key().metric().fold()));
          g.writeArrayFieldStart("seconds");
          for (long t : s.seconds()) {
            g.writeNumber(t);
          }
          g.writeEndArray();
          g.writeArrayFieldStart("values");
          for (double v : s.values()) {
            number(g, v);
          }
          g.writeEndArray();
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }));
    });
  }

  private HttpReply series(HttpCall c) {
    onlyParams(c);
    List<SeriesKey> liveKeys = history.live().keys();
    return HttpReply.json(200, Json.write(4096, g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("metrics");
      for (Metric m : Metric.values()) {
        g.writeStartObject();
        g.writeStringField("name", m.wireName());
        g.writeStringField("scope", lower(m.scope()));
        g.writeStringField("fold", lower(m.fold()));
        g.writeStringField("help", m.help());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeObjectFieldStart("live");
      g.writeNumberField("seconds", history.live().seconds());
      g.writeArrayFieldStart("series");
      for (SeriesKey k : liveKeys) {
        g.writeStartObject();
        key(g, k);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeObjectFieldStart("history");
      g.writeBooleanField("enabled", history.persisted());
      g.writeArrayFieldStart("resolutions");
      if (history.persisted()) {
        for (Resolution r : history.store().resolutions()) {
          g.writeStartObject();
          g.writeStringField("name", r.name());
          g.writeNumberField("seconds", r.seconds());
          g.writeNumberField("retention_days", r.retentionDays());
          g.writeEndObject();
        }
      }
      g.writeEndArray();
      g.writeArrayFieldStart("ranges");
      for (String r : new String[] {"1h", "1d", "7d", "30d"}) {
        g.writeString(r);
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
    }));
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static void key(JsonGenerator g, SeriesKey k) throws IOException {
    g.writeStringField("metric", k.metric().wireName());
    g.writeStringField("model", k.model());
    g.writeStringField("version", k.version());
    g.writeStringField("transport", k.transport());
  }

  private static void onlyParams(HttpCall c, String... allowed) {
    for (String name : c.query().keySet()) {
      if (!List.of(allowed).contains(name)) {
        throw HttpStatusException.badRequest("unknown parameter '" + printable(name) + "'; "
            + (allowed.length == 0 ? "this endpoint takes none"
                : "this endpoint takes " + String.join(", ", allowed)));
      }
      if (c.query().get(name).size() > 1) {
        throw HttpStatusException.badRequest("parameter '" + name + "' is given more than once");
      }
    }
  }

  private static String model(HttpCall c) {
    String model = c.queryParam("model");
    if (model != null && !Names.isValidModelName(model)) {
      throw HttpStatusException.badRequest("model must match " + Names.MODEL_NAME_REGEX
          + ", got '" + printable(model) + "'");
    }
    return model;
  }

  private static int intParam(HttpCall c, String name, int dflt, int min, int max) {
    String v = c.queryParam(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // worded below
    }
    throw HttpStatusException.badRequest(name + " must be a whole number from " + min + " to "
        + max + ", got '" + printable(v) + "'");
  }

  /** A range such as 15m, 1h, 1d, 7d or 30d, in seconds (1 minute to 366 days). */
  static long range(String text) {
    Matcher m = RANGE.matcher(text);
    long seconds = -1;
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      seconds = n * switch (m.group(2)) {
        case "m" -> 60;
        case "h" -> 3600;
        default -> 86_400;
      };
    }
    if (seconds < 60 || seconds > 366L * 86_400) {
      throw HttpStatusException.badRequest("range must be a number and a unit m, h or d"
          + " between 1m and 366d (e.g. 1h, 1d, 7d, 30d), got '" + printable(text) + "'");
    }
    return seconds;
  }

  private static String printable(String s) {
    String p = Names.printable(s);
    return p.length() > 64 ? p.substring(0, 64) + "..." : p;
  }
}
