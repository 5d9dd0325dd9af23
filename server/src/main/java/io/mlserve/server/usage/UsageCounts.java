package io.mlserve.server.usage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests answered per model, version and client since the server started, for the
 * dashboard's usage view ({@code GET /api/v1/dashboard/usage}). The client is the request's
 * routing key (the {@code x-mlserve-routing-key} header, the body's {@code routing_key} or the
 * gRPC metadata of the same name), the one caller identity the serving path already carries;
 * requests without one count under {@value #NO_CLIENT}.
 *
 * <p>Bounded: at most {@link #MAX_CLIENTS} clients per version are counted by name, later ones
 * under {@value #OTHER_CLIENTS}; models and versions are bounded by what the server serves.
 * Recording is a few map lookups and a {@link LongAdder} increment, no allocation once a
 * client is known, no lock. This class is thread-safe.
 */
public final class UsageCounts {
  /** Clients counted by name per model version. */
  public static final int MAX_CLIENTS = 100;
  public static final String NO_CLIENT = "(none)";
  public static final String OTHER_CLIENTS = "(other)";

  /** One client's counts of one version. */
  public record Row(String model, String version, String client, long requests, long errors) {}

  private record Counter(LongAdder requests, LongAdder errors) {}

  private final Map<String, Map<String, Map<String, Counter>>> counts =
      new ConcurrentHashMap<>();

  /** Counts one answered request (an error when {@code error}). */
  public void record(String model, String version, String clientOrNull, boolean error) {
    Map<String, Counter> clients = counts.computeIfAbsent(model, m -> new ConcurrentHashMap<>())
        .computeIfAbsent(version, v -> new ConcurrentHashMap<>());
    String client = clientOrNull == null ? NO_CLIENT : clientOrNull;
    Counter c = clients.get(client);
    if (c == null) {
      // Past the bound, a new name goes to the shared row (the check may let a few racing
      // names past MAX_CLIENTS: the bound is approximate by at most the number of threads).
      String key = clients.size() >= MAX_CLIENTS ? OTHER_CLIENTS : client;
      c = clients.computeIfAbsent(key, k -> new Counter(new LongAdder(), new LongAdder()));
    }
    c.requests.increment();
    if (error) {
      c.errors.increment();
    }
  }

  /** Every row, sorted by model, version, then most requests first. */
  public List<Row> rows() {
    List<Row> out = new ArrayList<>();
    counts.forEach((m, versions) -> versions.forEach((v, clients) -> clients.forEach((k, c) ->
        out.add(new Row(m, v, k, c.requests.sum(), c.errors.sum())))));
    out.sort(Comparator.comparing(Row::model).thenComparing(Row::version)
        .thenComparing(Comparator.comparingLong(Row::requests).reversed())
        .thenComparing(Row::client));
    return out;
  }
}
