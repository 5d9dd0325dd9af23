package io.mlserve.experiments;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mlserve.store.AtomicFiles;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.IoErrors;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Names;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Experiment tracking on the local store: runs under {@code <store>/<model>/experiments/run_<id>/}
 * with {@code run.json} (status, times, source, name), {@code params.json}, {@code metrics.json}
 * (a series of {@code {step, value, timestamp}} per key), {@code tags.json} and {@code artifacts/}.
 * This is also the Java client API for training code that runs beside the store.
 *
 * <p>Runs written by other tools (the seed's Python snippet: {@code run_<timestamp>/} with
 * {@code params.json}, {@code metrics.json} of plain numbers, and a model file) read as they are:
 * a metric that is a number is a one-point series, a list of numbers a series by step, files
 * beside the JSON files count as artifacts, and a run without run.json is FINISHED.
 *
 * <p>Every write replaces one file atomically under the store lock (read, modify, rename), so
 * concurrent loggers across processes lose nothing. Every change is all-or-nothing, also on a
 * full disk: a run is assembled in a hidden temp directory and renamed into place after its event
 * is durable; ending a run appends its event before replacing run.json; a failure before the
 * rename takes the event back. Run ids follow the model-name rule. This class is thread-safe.
 */
public final class RunStore {
  /** Statuses a run can end with. */
  public static final Set<String> END_STATUSES = Set.of("FINISHED", "FAILED", "KILLED");
  public static final String RUNNING = "RUNNING";

  private static final String EXPERIMENTS = "experiments";
  private static final String PREFIX = "run_";
  private static final String ARTIFACTS = "artifacts";
  private static final Set<String> RUN_FILES =
      Set.of("run.json", "params.json", "metrics.json", "tags.json");
  private static final Pattern ARTIFACT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);
  private static final TypeReference<LinkedHashMap<String, Object>> MAP =
      new TypeReference<>() {};

  private final ModelStore store;
  private final EventLog events;
  private final Clock clock;

  public RunStore(ModelStore store, EventLog events, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.events = Objects.requireNonNull(events, "events");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Starts a run (RUNNING, start time now).
   *
   * @param name a label (may be null)
   * @param source where the training code came from, e.g. a git commit (may be null)
   */
  public Run create(String model, String name, String source, Map<String, String> tags) {
    checkName("model name", model);
    String runId = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    long now = clock.millis();
    store.lock().call(() -> {
      Path dir = runDir(model, runId);
      Path tmp = dir.resolveSibling("." + PREFIX + runId + ".tmp");
      undoCreatedDirectories(dir.getParent());
      store.lock().onFailure(() -> AtomicFiles.deleteRecursively(tmp));
      store.files().createDirectories(tmp.resolve(ARTIFACTS));
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("run_id", runId);
      meta.put("name", name);
      meta.put("status", RUNNING);
      meta.put("start_time", now);
      meta.put("end_time", 0L);
      meta.put("source", source);
      write(tmp.resolve("run.json"), meta);
      write(tmp.resolve("params.json"), Map.of());
      write(tmp.resolve("metrics.json"), Map.of());
      write(tmp.resolve("tags.json"), tags == null ? Map.of() : tags);
      events.appendQueued(Event.of(Event.RUN_CREATED, model, null, null, runId, now, null,
          Map.of()));
      store.files().move(tmp, dir); // the commit point
      store.lock().committed();
      store.files().syncAfterCommit(dir.getParent());
      return null;
    });
    events.deliverPending();
    return get(model, runId);
  }

  /** Sets one parameter (a JSON value: string, number, boolean, object...). */
  public Run logParam(String model, String runId, String key, Object value) {
    checkKey(key);
    update(model, runId, "params.json", m -> m.put(key, value));
    return get(model, runId);
  }

  /** Appends one point to a metric's series. */
  public Run logMetric(String model, String runId, String key, double value, long step) {
    checkKey(key);
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("metric " + key + " must be finite, got " + value);
    }
    long now = clock.millis();
    update(model, runId, "metrics.json", m -> {
      List<Object> series = new ArrayList<>();
      for (MetricPoint p : series(m.get(key))) {
        series.add(point(p));
      }
      series.add(point(new MetricPoint(step, value, now)));
      m.put(key, series);
    });
    return get(model, runId);
  }

  /** Copies bytes into the run's artifacts/ under {@code name} (replacing one of that name). */
  public Run logArtifact(String model, String runId, String name, InputStream content) {
    if (name == null || !ARTIFACT_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid artifact name '" + Names.printable(name)
          + "': must match " + ARTIFACT_NAME.pattern() + " (no directories)");
    }
    Path dir = existingRun(model, runId).resolve(ARTIFACTS);
    Path tmp = dir.resolve("." + name + ".tmp-" + UUID.randomUUID());
    try {
      store.lock().call(() -> {
        if (!Files.isDirectory(dir)) {
          store.files().createDirectories(dir);
          store.lock().onFailure(() -> Files.deleteIfExists(dir));
        }
        return null;
      });
      store.files().copyNew(content, tmp);
      store.lock().call(() -> {
        store.files().move(tmp, dir.resolve(name));
        store.files().syncAfterCommit(dir);
        return null;
      });
    } catch (IOException e) {
      throw new StoreException("cannot write artifact " + name + " of run " + runId + ": "
          + IoErrors.reason(e) + " (the artifact was not logged)", e);
    } finally {
      AtomicFiles.deleteQuietly(tmp);
    }
    return get(model, runId);
  }

  /** Ends a run with FINISHED, FAILED or KILLED. */
  public Run end(String model, String runId, String status) {
    String s = status == null || status.isBlank() ? "FINISHED"
        : status.trim().toUpperCase(Locale.ROOT);
    if (!END_STATUSES.contains(s)) {
      throw new IllegalArgumentException("invalid run status '" + Names.printable(status)
          + "'; allowed: FINISHED, FAILED, KILLED");
    }
    long now = clock.millis();
    Path dir = existingRun(model, runId);
    store.lock().call(() -> {
      Map<String, Object> m = read(dir.resolve("run.json"));
      m.put("status", s);
      m.put("end_time", now);
      events.appendQueued(Event.of(Event.RUN_ENDED, model, null, null, runId, now, null,
          Map.of("status", s)));
      write(dir.resolve("run.json"), m); // the commit point
      return null;
    });
    events.deliverPending();
    return get(model, runId);
  }

  /** The model's runs, oldest first (by start time, then id). None if it has no experiments. */
  public List<Run> list(String model) {
    checkName("model name", model);
    Path exp = store.root().resolve(model).resolve(EXPERIMENTS);
    if (!Files.isDirectory(exp)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(exp)) {
      return s.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(PREFIX) && Names.isValidModelName(n.substring(PREFIX.length())))
          .map(n -> get(model, n.substring(PREFIX.length())))
          .sorted(Comparator.comparingLong(Run::startTime).thenComparing(Run::runId))
          .toList();
    } catch (IOException e) {
      throw new StoreException("cannot list runs of " + model + ": " + IoErrors.reason(e), e);
    }
  }

  /**
   * One run.
   *
   * @throws NotFoundException if it does not exist
   */
  public Run get(String model, String runId) {
    Path dir = existingRun(model, runId);
    Map<String, Object> meta = read(dir.resolve("run.json"));
    Map<String, List<MetricPoint>> metrics = new LinkedHashMap<>();
    read(dir.resolve("metrics.json")).forEach((k, v) -> metrics.put(k, series(v)));
    Map<String, String> tags = new LinkedHashMap<>();
    read(dir.resolve("tags.json")).forEach((k, v) -> tags.put(k, String.valueOf(v)));
    long start = meta.get("start_time") instanceof Number n ? n.longValue() : mtime(dir);
    return new Run(model, runId, str(meta.get("name")),
        meta.isEmpty() ? "FINISHED" : String.valueOf(meta.getOrDefault("status", "FINISHED")),
        start, meta.get("end_time") instanceof Number n ? n.longValue() : 0L,
        str(meta.get("source")), read(dir.resolve("params.json")), metrics, tags,
        artifacts(dir));
  }

  /**
   * The model file of a run, to register: {@code artifacts/model.pt} or {@code model.onnx},
   * else such a file in the run directory (the seed's layout), else the only file in artifacts/.
   *
   * @throws NotFoundException if the run has none
   */
  public Path modelArtifact(String model, String runId) {
    Path dir = existingRun(model, runId);
    for (Path p : List.of(dir.resolve(ARTIFACTS).resolve("model.pt"),
        dir.resolve(ARTIFACTS).resolve("model.onnx"), dir.resolve("model.pt"),
        dir.resolve("model.onnx"))) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    List<String> all = artifacts(dir);
    if (all.size() == 1) {
      return dir.resolve(all.get(0));
    }
    throw new NotFoundException("run " + runId + " of " + model + " has no model artifact"
        + " (model.pt or model.onnx); its artifacts: " + all);
  }

  /**
   * One of the run's files as {@link Run#artifacts} lists it ({@code artifacts/holdout.jsonl},
   * or a file of the seed's layout in the run directory); a bare name is looked up under
   * {@code artifacts/} as well. Only listed files are returned, so no name resolves outside the
   * run.
   *
   * @throws NotFoundException if the run or the file does not exist
   */
  public Path artifactFile(String model, String runId, String name) {
    Path dir = existingRun(model, runId);
    List<String> all = artifacts(dir);
    for (String candidate : List.of(name, ARTIFACTS + "/" + name)) {
      if (all.contains(candidate)) {
        Path p = dir.resolve(candidate);
        if (!Files.isSymbolicLink(p)) {
          return p;
        }
      }
    }
    throw new NotFoundException("run " + Names.printable(runId) + " of " + model + " has no"
        + " artifact '" + Names.printable(name) + "'; its artifacts: " + all);
  }

  private Path runDir(String model, String runId) {
    checkName("model name", model);
    checkName("run id", runId);
    return store.root().resolve(model).resolve(EXPERIMENTS).resolve(PREFIX + runId);
  }

  private Path existingRun(String model, String runId) {
    Path dir = runDir(model, runId);
    if (!Files.isDirectory(dir)) {
      throw new NotFoundException("model '" + model + "' has no run '" + Names.printable(runId)
          + "'");
    }
    return dir;
  }

  private interface Edit {
    void apply(Map<String, Object> m);
  }

  private void update(String model, String runId, String file, Edit edit) {
    Path dir = existingRun(model, runId);
    store.lock().call(() -> {
      Map<String, Object> m = read(dir.resolve(file));
      edit.apply(m);
      write(dir.resolve(file), m);
      return null;
    });
  }

  /**
   * Under the lock: registers undos that remove {@code experiments} and the model directory
   * above it if this section creates them (a failed first run leaves no trace).
   */
  private void undoCreatedDirectories(Path experiments) {
    Path modelDir = experiments.getParent();
    boolean newExperiments = !Files.exists(experiments);
    boolean newModel = !Files.exists(modelDir);
    store.lock().onFailure(() -> {
      if (newExperiments) {
        AtomicFiles.deleteIfEmptyDirectory(experiments);
      }
      if (newModel) {
        AtomicFiles.deleteIfEmptyDirectory(modelDir);
      }
    });
  }

  /** Paths relative to the run directory: artifacts/* and non-JSON files beside them. */
  private static List<String> artifacts(Path dir) {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
          .filter(n -> !RUN_FILES.contains(n) && !n.startsWith(".")).sorted().forEach(out::add);
    } catch (IOException e) {
      throw new StoreException("cannot list a run: " + IoErrors.reason(e), e);
    }
    Path art = dir.resolve(ARTIFACTS);
    if (Files.isDirectory(art)) {
      try (Stream<Path> s = Files.list(art)) {
        s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
            .filter(n -> !n.startsWith(".")).sorted().forEach(n -> out.add(ARTIFACTS + "/" + n));
      } catch (IOException e) {
        throw new StoreException("cannot list a run's artifacts: " + IoErrors.reason(e), e);
      }
    }
    return out;
  }

  /** A metric value as written by us (list of points) or by other tools (number, numbers). */
  private static List<MetricPoint> series(Object v) {
    List<MetricPoint> out = new ArrayList<>();
    if (v instanceof Number n) {
      out.add(new MetricPoint(0, n.doubleValue(), 0));
    } else if (v instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        Object e = list.get(i);
        if (e instanceof Number n) {
          out.add(new MetricPoint(i, n.doubleValue(), 0));
        } else if (e instanceof Map<?, ?> m && m.get("value") instanceof Number val) {
          out.add(new MetricPoint(m.get("step") instanceof Number s ? s.longValue() : i,
              val.doubleValue(), m.get("timestamp") instanceof Number t ? t.longValue() : 0));
        }
      }
    }
    return out;
  }

  private static Map<String, Object> point(MetricPoint p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("step", p.step());
    m.put("value", p.value());
    m.put("timestamp", p.timestamp());
    return m;
  }

  private static Map<String, Object> read(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      JsonNode node = JSON.readTree(bytes);
      if (node == null || !node.isObject()) {
        return new LinkedHashMap<>();
      }
      return JSON.convertValue(node, MAP);
    } catch (NoSuchFileException e) {
      return new LinkedHashMap<>();
    } catch (JsonProcessingException e) {
      throw new StoreException("invalid JSON in " + file.getFileName() + ": "
          + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new StoreException("cannot read " + file.getFileName() + ": " + IoErrors.reason(e),
          e);
    }
  }

  private void write(Path file, Object value) throws IOException {
    store.files().write(file, (JSON.writeValueAsString(value) + "\n").getBytes(
        java.nio.charset.StandardCharsets.UTF_8));
  }

  private static long mtime(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  private static String str(Object o) {
    return o == null ? null : String.valueOf(o);
  }

  private static void checkName(String what, String s) {
    if (!Names.isValidModelName(s)) {
      throw new IllegalArgumentException("invalid " + what + " '" + Names.printable(s)
          + "': must match " + Names.MODEL_NAME_REGEX);
    }
  }

  private static void checkKey(String key) {
    if (key == null || key.isBlank() || key.length() > 250
        || key.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("invalid key '" + Names.printable(key)
          + "': 1-250 characters, no control characters");
    }
  }
}
