package io.mlserve.server.cli;

import io.mlserve.server.netty.ConnectionLimits;
import io.mlserve.store.ServingConfig;
import io.mlserve.server.batch.ScalingWindows;
import io.mlserve.store.ServingConfig.Range;
import io.mlserve.server.alerts.AlertConfig;
import io.mlserve.server.alerts.AlertConfigException;
import io.mlserve.server.alerts.AlertConfigFiles;
import io.mlserve.server.alerts.PromDurations;
import io.mlserve.server.alerts.WebhookConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Flags shared by {@code serve} and {@code demo}. Every numeric flag has a documented range
 * ({@link #problems()} names each value outside it); the serving overrides take the manifest's
 * ranges ({@link ServingConfig}). Plain data; not thread-safe.
 */
final class ServeOptions {
  static final Range PORT = new Range(0, 65_535);
  /** --max-message-bytes: 1 KiB to 256 MiB (a request is held in memory whole). */
  static final Range MAX_MESSAGE_BYTES = new Range(1024, 256L << 20);
  static final Range GRPC_THREADS = new Range(0, 256);
  static final Range GUARD_WINDOW_SECONDS = new Range(0, 86_400);
  static final Range GUARD_MAX_P95_MS = new Range(1, 600_000);
  static final Range GUARD_MIN_REQUESTS = new Range(1, 10_000_000);
  static final Range SHUTDOWN_GRACE_SECONDS = new Range(0, 3_600);
  static final Range DRAIN_DELAY_SECONDS = new Range(0, 300);
  static final Range FEEDBACK_PREDICTIONS = new Range(0, 10_000_000);
  static final Range FEEDBACK_MEMORY_MIB = new Range(1, 65_536);
  static final Range FEEDBACK_TTL_SECONDS = new Range(1, 7 * 86_400);
  static final Range HISTORY_DAYS = new Range(1, 366);
  static final Range HISTORY_FINE_DAYS = new Range(0, 7);
  static final Range HISTORY_MAX_MIB = new Range(1, 1L << 20);

  @Option(names = "--no-history", negatable = false,
      description = "Keep no metrics history in the store (<store>/.history/); the dashboard's"
          + " live view (last 5 minutes, in memory) still works.")
  boolean noHistory;

  @Option(names = "--history-days", defaultValue = "30",
      description = "Days of 1-minute metrics history kept in the store (1 to 366)."
          + " Default: ${DEFAULT-VALUE}")
  int historyDays;

  @Option(names = "--history-fine-days", defaultValue = "1",
      description = "Days of 10-second metrics history kept besides today (0 to 7)."
          + " Default: ${DEFAULT-VALUE}")
  int historyFineDays;

  @Option(names = "--history-max-mib", defaultValue = "1024",
      description = "Most disk the metrics history takes, in MiB; past it the oldest days are"
          + " deleted (1 to 1048576). Default: ${DEFAULT-VALUE}")
  long historyMaxMib;

  @Option(names = "--feedback-predictions", defaultValue = "100000",
      description = "Recent predictions kept for outcome feedback to join (0: keep none)."
          + " Default: ${DEFAULT-VALUE}")
  int feedbackPredictions;

  @Option(names = "--feedback-memory-mib", defaultValue = "64",
      description = "Most memory the kept predictions take, in MiB. Default: ${DEFAULT-VALUE}")
  int feedbackMemoryMib;

  @Option(names = "--feedback-ttl-seconds", defaultValue = "3600",
      description = "How long a prediction takes feedback. Default: ${DEFAULT-VALUE}")
  int feedbackTtlSeconds;

  // ---- Alerts (io.mlserve.server.alerts; docs/monitoring-alertrun.md) ----
  @Option(names = "--alert-rules", paramLabel = "FILE",
      description = "Alert rules and webhooks, YAML or JSON (see docs); the built-in rules"
          + " (p95 > 200 ms, error rate > 1%%, CPU or memory > 80%%, drift) apply without one."
          + " A file that cannot be read or breaks a rule refuses to start, naming the rule.")
  Path alertRules;

  @Option(names = "--alert-webhook", paramLabel = "URL",
      description = "Post alert transitions to this URL in Alertmanager's webhook JSON"
          + " (repeatable; added to the rules file's webhooks).")
  List<String> alertWebhooks = new ArrayList<>();

  @Option(names = "--alert-interval", defaultValue = "15s", paramLabel = "DURATION",
      description = "How often the alert rules are evaluated, 1s to 1h (Prometheus syntax)."
          + " Default: ${DEFAULT-VALUE}")
  String alertInterval;

  @Option(names = "--no-alerts",
      description = "Evaluate no alert rules (GET /api/v1/alerts answers enabled: false).")
  boolean noAlerts;

  private AlertConfig alertConfig;

  @Option(names = "--grpc-port", defaultValue = "8500",
      description = "gRPC port (0 picks a free one). Default: ${DEFAULT-VALUE}")
  int grpcPort;

  @Option(names = "--http-port", defaultValue = "8080",
      description = "HTTP port for the REST gateway (0 picks a free one). Default: ${DEFAULT-VALUE}")
  int httpPort;

  @Option(names = "--bind", defaultValue = "0.0.0.0",
      description = "Address to listen on. Default: ${DEFAULT-VALUE}")
  String bind;

  @Option(names = "--batching", defaultValue = "on",
      description = "on: each version's manifest decides; off: max batch size 1 for every model."
          + " Default: ${DEFAULT-VALUE}")
  String batching;

  @Option(names = "--max-batch-size",
      description = "Override every manifest's max_batch_size (1 to 4096).")
  Integer maxBatchSize;

  @Option(names = "--max-queue-delay-us",
      description = "Override every manifest's max_queue_delay_us (0 to 1000000).")
  Long maxQueueDelayUs;

  @Option(names = "--instances",
      description = "Override every manifest's instances (batcher workers per version, 1 to 64).")
  Integer instances;

  @Option(names = "--queue-timeout-us",
      description = "Override every manifest's queue_timeout_us: the longest a request may wait"
          + " in a model's queue before it is shed with RESOURCE_EXHAUSTED / 503 (100 to"
          + " 60000000; the manifest default is 100000).")
  Long queueTimeoutUs;

  @Option(names = "--idle-unload-seconds", defaultValue = "600",
      description = "How long a version that takes no Production or split traffic (Staging,"
          + " Deprecated loaded on demand, shadows) may go without a request before its engine is"
          + " unloaded; the next request loads it again. For manifests without"
          + " serving.idle_unload_seconds (0 to 604800; 0: never). Default: ${DEFAULT-VALUE}")
  int idleUnloadSeconds = 600;

  @Option(names = "--grpc-threads", defaultValue = "0",
      description = "Threads that decode and dispatch gRPC calls; 0 runs them on the transport's"
          + " event loops (direct executor); at most 256. Default: ${DEFAULT-VALUE}")
  int grpcThreads;

  @Option(names = "--max-message-bytes", defaultValue = "16777216",
      description = "Largest request accepted, in bytes (1024 to 268435456)."
          + " Default: ${DEFAULT-VALUE}")
  int maxMessageBytes;

  @Option(names = "--max-dataset-bytes", defaultValue = "4294967296",
      description = "Largest evaluation dataset file added through the admin gRPC service"
          + " (mlctl dataset add --server). Default: ${DEFAULT-VALUE} (4 GiB)")
  long maxDatasetBytes;

  @Option(names = "--torch-threads",
      description = "Intra-op threads of each batcher instance, for every model (overrides the"
          + " manifests' serving.threads_per_instance, whose default is 1; 1 to 64)")
  Integer torchThreads;

  @Option(names = "--guard-window-seconds", defaultValue = "300",
      description = "After a reload, how long the post-promotion guard watches the new version"
          + " (0: off; at most 86400). Default: ${DEFAULT-VALUE}")
  long guardWindowSeconds;

  @Option(names = "--guard-max-error-rate", defaultValue = "0.01",
      description = "Roll back when the new version's error rate exceeds this (0 to 1)."
          + " Default: ${DEFAULT-VALUE}")
  double guardMaxErrorRate;

  @Option(names = "--guard-max-p95-ms", defaultValue = "200",
      description = "Roll back when the new version's p95 latency exceeds this (1 to 600000)."
          + " Default: ${DEFAULT-VALUE}")
  long guardMaxP95Millis;

  @Option(names = "--guard-min-requests", defaultValue = "20",
      description = "Requests the guard needs before it judges (1 to 10000000)."
          + " Default: ${DEFAULT-VALUE}")
  long guardMinRequests;

  @Option(names = "--check-finite", defaultValue = "true", arity = "1",
      description = "true: gRPC inference refuses NaN and infinite FP16/FP32/FP64 inputs with"
          + " INVALID_ARGUMENT; false: passes them to the model (for models that read NaN as"
          + " missing). REST always refuses non-finite and out-of-range numbers."
          + " Default: ${DEFAULT-VALUE}")
  boolean checkFinite;

  @Option(names = "--evaluation-time-limit-seconds", defaultValue = "3600",
      description = "How long one offline evaluation (mlctl evaluate, POST .../evaluations) may"
          + " run before it is stopped (1 to 86400). One runs at a time; "
          + "2 more may wait. Default: ${DEFAULT-VALUE}")
  long evaluationTimeLimitSeconds;

  @Option(names = "--shutdown-grace-seconds", defaultValue = "30",
      description = "How long in-flight requests may take on shutdown (0 to 3600)."
          + " Default: ${DEFAULT-VALUE}")
  int shutdownGraceSeconds;

  @Option(names = "--drain-delay-seconds", defaultValue = "0",
      description = "On SIGTERM, report not ready (gRPC health, /readyz) and keep serving this"
          + " long before refusing new calls, so that a load balancer's health check takes the"
          + " replica out first (0 to 300; about 2 health-check intervals). Default: ${DEFAULT-VALUE}")
  int drainDelaySeconds;

  // ---- Connection limits (per listener: HTTP and gRPC each). Bounded; see ConnectionLimits. --
  private static final long MAX_SECONDS = ConnectionLimits.MAX_TIMEOUT.toSeconds();

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @picocli.CommandLine.Mixin DriftOptions drift;

  @picocli.CommandLine.Mixin SharedMemoryOptions sharedMemory;
  @picocli.CommandLine.Mixin ScalingOptions scaling;

  int maxConnections = ConnectionLimits.defaultMaxConnections();
  long idleTimeoutSeconds;
  long headerTimeoutSeconds;
  long bodyTimeoutSeconds;
  long grpcMaxConnectionAgeSeconds;
  long grpcMaxConnectionAgeGraceSeconds;
  long grpcPermitKeepAliveSeconds;

  @Option(names = "--max-connections",
      description = "Connections each listener (HTTP, gRPC) holds open at once; more are accepted"
          + " and closed at once (1..1000000). Default: 10000, or a quarter of the process's"
          + " file-descriptor limit when that is less")
  void maxConnections(int v) {
    maxConnections = (int) bounded(v, 1, ConnectionLimits.MAX_CONNECTIONS, "--max-connections");
  }

  @Option(names = "--idle-timeout-seconds", defaultValue = "300",
      description = "Close a connection with no request in flight for this long (gRPC:"
          + " maxConnectionIdle; 1..86400). Default: ${DEFAULT-VALUE}")
  void idleTimeoutSeconds(long v) {
    idleTimeoutSeconds = bounded(v, 1, MAX_SECONDS, "--idle-timeout-seconds");
  }

  @Option(names = "--header-timeout-seconds", defaultValue = "10",
      description = "Close an HTTP connection whose request headers take longer than this from"
          + " their first byte; gRPC: the time to complete the HTTP/2 handshake (1..86400)."
          + " Default: ${DEFAULT-VALUE}")
  void headerTimeoutSeconds(long v) {
    headerTimeoutSeconds = bounded(v, 1, MAX_SECONDS, "--header-timeout-seconds");
  }

  @Option(names = "--body-timeout-seconds", defaultValue = "60",
      description = "Close an HTTP connection whose request body takes longer than this after"
          + " its headers (1..86400). Default: ${DEFAULT-VALUE}")
  void bodyTimeoutSeconds(long v) {
    bodyTimeoutSeconds = bounded(v, 1, MAX_SECONDS, "--body-timeout-seconds");
  }

  @Option(names = "--grpc-max-connection-age-seconds", defaultValue = "0",
      description = "Ask gRPC clients to reconnect after this long (0: never; 0..86400)."
          + " Default: ${DEFAULT-VALUE}")
  void grpcMaxConnectionAgeSeconds(long v) {
    grpcMaxConnectionAgeSeconds = bounded(v, 0, MAX_SECONDS, "--grpc-max-connection-age-seconds");
  }

  @Option(names = "--grpc-max-connection-age-grace-seconds", defaultValue = "30",
      description = "After the connection age, how long calls in flight may finish (0..86400)."
          + " Default: ${DEFAULT-VALUE}")
  void grpcMaxConnectionAgeGraceSeconds(long v) {
    grpcMaxConnectionAgeGraceSeconds =
        bounded(v, 0, MAX_SECONDS, "--grpc-max-connection-age-grace-seconds");
  }

  @Option(names = "--grpc-permit-keepalive-seconds", defaultValue = "300",
      description = "Disconnect gRPC clients that send keepalive pings more often than this"
          + " (1..86400). Default: ${DEFAULT-VALUE}")
  void grpcPermitKeepAliveSeconds(long v) {
    grpcPermitKeepAliveSeconds = bounded(v, 1, MAX_SECONDS, "--grpc-permit-keepalive-seconds");
  }

  /** The connection cap and timeouts these flags give, for both listeners. */
  ConnectionLimits connectionLimits() {
    return new ConnectionLimits(maxConnections, Duration.ofSeconds(idleTimeoutSeconds),
        Duration.ofSeconds(headerTimeoutSeconds), Duration.ofSeconds(bodyTimeoutSeconds),
        Duration.ofSeconds(grpcMaxConnectionAgeSeconds),
        Duration.ofSeconds(grpcMaxConnectionAgeGraceSeconds),
        Duration.ofSeconds(grpcPermitKeepAliveSeconds));
  }

  private long bounded(long v, long min, long max, String flag) {
    if (v < min || v > max) {
      throw new ParameterException(spec.commandLine(),
          flag + " must be between " + min + " and " + max + ", got " + v);
    }
    return v;
  }

  /**
   * Every flag value outside its range, one message each naming the flag, the allowed range and
   * the value given; empty when all are valid.
   */
  /** The A/B and feedback settings these options give. */
  io.mlserve.server.experiment.ExperimentConfig experimentConfig() {
    return io.mlserve.server.experiment.ExperimentConfig.defaults().withLog(feedbackPredictions,
        (long) feedbackMemoryMib << 20, java.time.Duration.ofSeconds(feedbackTtlSeconds));
  }

  /** The history's bounds these flags give, or null with --no-history. Call after problems(). */
  io.mlserve.server.history.HistoryLimits historyLimits() {
    return noHistory ? null : io.mlserve.server.history.HistoryLimits.defaults()
        .withRetention(historyFineDays, historyDays).withMaxTotalBytes(historyMaxMib << 20);
  }

  List<String> problems() {
    List<String> out = new ArrayList<>();
    check(out, "--history-days", HISTORY_DAYS, historyDays);
    check(out, "--history-fine-days", HISTORY_FINE_DAYS, historyFineDays);
    check(out, "--history-max-mib", HISTORY_MAX_MIB, historyMaxMib);
    alertProblems(out);
    if (evaluationTimeLimitSeconds < 1 || evaluationTimeLimitSeconds > 86_400) {
      out.add("--evaluation-time-limit-seconds must be between 1 and 86400, got "
          + evaluationTimeLimitSeconds);
    }
    if (!batching.equals("on") && !batching.equals("off")) {
      out.add("--batching must be on or off, got '" + batching + "'");
    }
    check(out, "--grpc-port", PORT, grpcPort);
    check(out, "--feedback-predictions", FEEDBACK_PREDICTIONS, feedbackPredictions);
    check(out, "--feedback-memory-mib", FEEDBACK_MEMORY_MIB, feedbackMemoryMib);
    check(out, "--feedback-ttl-seconds", FEEDBACK_TTL_SECONDS, feedbackTtlSeconds);
    check(out, "--http-port", PORT, httpPort);
    check(out, "--max-batch-size", ServingConfig.MAX_BATCH_SIZE, maxBatchSize);
    check(out, "--max-queue-delay-us", ServingConfig.MAX_QUEUE_DELAY_US, maxQueueDelayUs);
    check(out, "--instances", ServingConfig.INSTANCES, instances);
    check(out, "--queue-timeout-us", ServingConfig.QUEUE_TIMEOUT_US, queueTimeoutUs);
    check(out, "--idle-unload-seconds", ServingConfig.IDLE_UNLOAD_SECONDS, idleUnloadSeconds);
    check(out, "--torch-threads", ServingConfig.THREADS_PER_INSTANCE, torchThreads);
    check(out, "--grpc-threads", GRPC_THREADS, grpcThreads);
    check(out, "--max-message-bytes", MAX_MESSAGE_BYTES, maxMessageBytes);
    if (maxDatasetBytes < 1) {
      out.add("--max-dataset-bytes must be positive, got " + maxDatasetBytes);
    }
    check(out, "--guard-window-seconds", GUARD_WINDOW_SECONDS, guardWindowSeconds);
    if (!(guardMaxErrorRate >= 0 && guardMaxErrorRate <= 1)) {
      out.add("--guard-max-error-rate must be between 0 and 1, got " + guardMaxErrorRate);
    }
    check(out, "--guard-max-p95-ms", GUARD_MAX_P95_MS, guardMaxP95Millis);
    check(out, "--guard-min-requests", GUARD_MIN_REQUESTS, guardMinRequests);
    check(out, "--shutdown-grace-seconds", SHUTDOWN_GRACE_SECONDS, shutdownGraceSeconds);
    check(out, "--drain-delay-seconds", DRAIN_DELAY_SECONDS, drainDelaySeconds);
    drift.problems(out);
    sharedMemory.problems(out);
    scaling.problems(out);
    return out;
  }

  /** Checks the alert flags and loads the rules file (once); adds what is wrong to {@code out}. */
  private void alertProblems(List<String> out) {
    if (noAlerts) {
      return;
    }
    try {
      Duration d = PromDurations.parse("--alert-interval", alertInterval);
      if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofHours(1)) > 0) {
        out.add("--alert-interval must be between 1s and 1h, got " + alertInterval);
      }
    } catch (AlertConfigException e) {
      out.add(e.getMessage());
    }
    try {
      AlertConfig config = alertRules == null ? AlertConfig.defaults()
          : AlertConfigFiles.load(alertRules);
      List<WebhookConfig> hooks = new ArrayList<>();
      for (String url : alertWebhooks) {
        hooks.add(WebhookConfig.of(WebhookConfig.parseUrl(url)));
      }
      alertConfig = config.withWebhooks(hooks);
    } catch (AlertConfigException e) {
      out.add((alertRules == null ? "--alert-webhook: " : "--alert-rules: ") + e.getMessage());
    }
  }

  /** The alert rules and webhooks (null with --no-alerts); call after {@link #problems()}. */
  AlertConfig alertConfig() {
    return noAlerts ? null : alertConfig;
  }

  /** How often alerts are evaluated; call after {@link #problems()}. */
  Duration alertInterval() {
    return PromDurations.parse("--alert-interval", alertInterval);
  }

  /**
   * Prints every problem (see {@link #problems()}) to stderr.
   *
   * @return whether there was none
   */
  boolean validOrReport() {
    List<String> problems = problems();
    problems.forEach(p -> System.err.println("mlserve: " + p));
    return problems.isEmpty();
  }

  /** How long a load must hold before autoscaling follows it. Call after problems(). */
  ScalingWindows scalingWindows() {
    return scaling.windows();
  }

  /** A manifest's serving config with these flags' overrides applied. Call after problems(). */
  ServingConfig applyTo(ServingConfig serving) {
    ServingConfig s = serving;
    if (batching.equals("off")) {
      s = s.withMaxBatchSize(1);
    } else if (maxBatchSize != null) {
      s = s.withMaxBatchSize(maxBatchSize);
    }
    if (maxQueueDelayUs != null) {
      s = s.withMaxQueueDelayUs(maxQueueDelayUs);
    }
    if (instances != null) {
      s = s.withInstances(instances);
    }
    if (torchThreads != null) {
      s = s.withThreadsPerInstance(torchThreads);
    }
    if (queueTimeoutUs != null) {
      s = s.withQueueTimeoutUs(queueTimeoutUs);
    }
    if (s.idleUnloadSeconds() == null) {
      s = s.withIdleUnloadSeconds(idleUnloadSeconds); // the manifest's own value wins
    }
    return scaling.applyTo(s);
  }

  private static void check(List<String> out, String flag, Range range, Number value) {
    if (value != null) {
      String why = range.check(flag, value.longValue());
      if (why != null) {
        out.add(why);
      }
    }
  }
}
