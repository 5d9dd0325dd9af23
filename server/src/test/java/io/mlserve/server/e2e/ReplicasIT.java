package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three server processes on one store, as replicas behind a load balancer run: concurrent admin
 * calls through every replica leave one strictly ordered event log (no duplicate or missing
 * seq, an event for every accepted call); every replica ends up serving the last Production
 * version; and the rollout controller's lease, held by one replica, passes to another when its
 * holder is killed with SIGKILL. Waits are bounded and generous (this is not a timing test;
 * {@code deploy/local/propagation.sh} measures how soon replicas follow).
 */
class ReplicasIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL = "curve_forecaster";
  private static final int CALLS_PER_REPLICA = 6;

  @TempDir Path tmp;
  private final List<LauncherProcess> replicas = new ArrayList<>();
  private final List<Integer> httpPorts = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @AfterEach
  void stop() throws Exception {
    for (LauncherProcess r : replicas) {
      r.close();
    }
  }

  private void startReplica(Path store) throws Exception {
    Path jvmTmp = Files.createDirectories(tmp.resolve("jvm-tmp-" + replicas.size()));
    LauncherProcess p = LauncherProcess.start(
        Map.of("MLSERVE_JAVA_OPTS", "-Xmx512m -Djava.io.tmpdir=" + jvmTmp),
        "demo", "--store", store.toString(), "--grpc-port", "0", "--http-port", "0",
        "--bind", "127.0.0.1");
    replicas.add(p);
    Matcher ready = p.awaitLine(LauncherProcess.READY,
        LauncherProcess.START_SECONDS, TimeUnit.SECONDS);
    httpPorts.add(Integer.parseInt(ready.group(2)));
  }

  @Test
  void replicasShareOneOrderedLogFollowEachOtherAndHandOverTheLease() throws Exception {
    Path store = tmp.resolve("store");
    startReplica(store); // creates the demo store; the others serve it as it is
    startReplica(store);
    startReplica(store);
    long seqBefore = lastSeq(store);

    // Concurrent promotions through all three replicas at once.
    AtomicInteger accepted = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        int replica = r;
        done.add(pool.submit(() -> {
          for (int i = 0; i < CALLS_PER_REPLICA; i++) {
            String version = (i + replica) % 2 == 0 ? "1.1.0" : "1.0.0";
            HttpResponse<String> resp = promote(replica, version, "replica " + replica + " #" + i);
            if (resp.statusCode() == 200) {
              accepted.incrementAndGet();
            } else if (resp.statusCode() != 409) { // already in Production: a clear refusal
              fail("replica " + replica + " promote " + version + ": " + resp.statusCode()
                  + " " + resp.body());
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(300, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(accepted.get() >= 3, "too few promotions accepted: " + accepted);

    List<JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(store.resolve("events.jsonl"))) {
      events.add(JSON.readTree(line));
    }
    Set<Long> seen = new HashSet<>();
    long previous = 0;
    for (JsonNode e : events) {
      long seq = e.path("seq").asLong();
      assertTrue(seen.add(seq), "duplicate seq " + seq);
      assertEquals(previous + 1, seq, "seq must grow by one: " + e);
      previous = seq;
    }
    long promotedAfter = events.stream()
        .filter(e -> e.path("seq").asLong() > seqBefore)
        .filter(e -> e.path("event_type").asText().equals("ml.model.promoted.v1"))
        .filter(e -> e.path("stage").asText().equals("Production")).count();
    assertEquals(accepted.get(), promotedAfter, "one Production promotion event per accepted call");

    // Every replica serves the last Production version.
    String last = null;
    for (JsonNode e : events) {
      if (e.path("event_type").asText().equals("ml.model.promoted.v1")
          && e.path("model_name").asText().equals(MODEL)
          && e.path("stage").asText().equals("Production")) {
        last = e.path("version").asText();
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (int r = 0; r < 3; r++) {
      while (!last.equals(production(r))) {
        assertTrue(System.nanoTime() < deadline,
            "replica " + r + " serves " + production(r) + ", not " + last);
        Thread.sleep(50);
      }
    }

    // The rollout lease: held by one replica; SIGKILL it and another takes over.
    Path lease = store.resolve(".leases").resolve("rollout.json");
    long holder = awaitHolder(lease, -1, 60);
    LauncherProcess held = null;
    for (LauncherProcess p : replicas) {
      if (p.pid() == holder) {
        held = p;
      }
    }
    assertTrue(held != null, "lease holder pid " + holder + " is none of the replicas");
    held.kill();
    long next = awaitHolder(lease, holder, 90);
    assertNotEquals(holder, next);
    Set<Long> alive = new HashSet<>();
    for (LauncherProcess p : replicas) {
      if (p != held) {
        alive.add(p.pid());
      }
    }
    assertTrue(alive.contains(next), "new holder " + next + " is not a live replica " + alive);
  }

  /** Waits until the lease names a holder process other than {@code not}; returns its pid. */
  private static long awaitHolder(Path lease, long not, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      if (Files.isRegularFile(lease)) {
        try {
          // holder = host:pid:random
          String[] parts = JSON.readTree(Files.readString(lease)).path("holder").asText()
              .split(":");
          long pid = Long.parseLong(parts[parts.length - 2]);
          if (pid != not) {
            return pid;
          }
        } catch (java.io.IOException | RuntimeException e) {
          // replaced while read: look again
        }
      }
      if (System.nanoTime() > deadline) {
        fail("no lease holder other than " + not + " within " + seconds + " s: "
            + (Files.exists(lease) ? Files.readString(lease) : "no lease file"));
      }
      Thread.sleep(100);
    }
  }

  private long lastSeq(Path store) throws Exception {
    List<String> lines = Files.readAllLines(store.resolve("events.jsonl"));
    return lines.isEmpty() ? 0 : JSON.readTree(lines.get(lines.size() - 1)).path("seq").asLong();
  }

  private HttpResponse<String> promote(int replica, String version, String reason)
      throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + httpPorts.get(replica) + "/api/v1/models/" + MODEL + "/versions/" + version
            + "/promote"))
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"stage\":\"Production\",\"reason\":\"" + reason + "\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The Production version replica {@code r} serves, from its /readyz. */
  private String production(int r) throws Exception {
    HttpResponse<String> resp = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + httpPorts.get(r) + "/readyz"))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    for (JsonNode m : JSON.readTree(resp.body()).path("models")) {
      if (m.path("name").asText().equals(MODEL)) {
        return m.path("version").asText();
      }
    }
    return null;
  }
}
