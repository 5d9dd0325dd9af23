package io.mlserve.server.alerts;

import io.mlserve.server.metrics.ModelMetrics;
import io.mlserve.server.metrics.PrometheusText;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.StoreLease;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the alert rules: every {@code interval} it snapshots the served versions' metrics into
 * the {@link MetricsWindow} and, while this server holds the store's {@code alerts} lease (with
 * several servers on one store exactly one evaluates, over its own metrics), evaluates the
 * rules ({@link AlertEvaluator}) over the versions taking traffic and the process; each
 * transition to FIRING or RESOLVED is appended to the event log ({@link AlertEvents}), every
 * transition is kept in a bounded history ({@value #HISTORY}), and the batch goes to the
 * webhooks ({@link AlertNotifier}, which never blocks).
 *
 * <p>Re-scoping: the served versions are re-read every second, and a change (a promotion, a
 * rollback, a new traffic split swapped in) evaluates at once, so the old version's alerts
 * resolve and the new version's start fresh; the promotion, rollback and traffic-change
 * events of this process ({@link #onEvent}) trigger that check at once too. Losing the lease
 * forgets the alert states (the next holder starts fresh).
 *
 * <p>{@link #tick} and {@link #check} are what tests call with a fake clock; {@link #start}
 * runs {@link #check} on one daemon thread. This class is thread-safe.
 */
public final class AlertService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AlertService.class);
  /** Transitions kept for {@code GET /api/v1/alerts}. */
  public static final int HISTORY = 500;
  /** How often the served versions are compared with the last evaluated ones. */
  public static final Duration SCOPE_CHECK = Duration.ofSeconds(1);

  /** Who may evaluate: the store's {@code alerts} lease, or always (a single server). */
  public interface Leadership {
    Leadership ALWAYS = new Leadership() {
      @Override
      public boolean acquire() {
        return true;
      }

      @Override
      public void release() {}
    };

    /**
     * The store lease {@code lease}: a store that cannot be read or written (a full disk) counts
     * as another server holding it.
     */
    static Leadership of(StoreLease lease) {
      Objects.requireNonNull(lease, "lease");
      return new Leadership() {
        @Override
        public boolean acquire() {
          try {
            return lease.tryAcquire();
          } catch (RuntimeException e) {
            log.warn("alerts lease not taken: {}", e.getMessage());
            return false;
          }
        }

        @Override
        public void release() {
          lease.release();
        }
      };
    }

    /** Takes or renews the lease; false when another holder has it or the store fails. */
    boolean acquire();

    void release();
  }

  /**
   * What {@code GET /api/v1/alerts} and {@code Alerts/ListAlerts} answer.
   *
   * @param evaluatedAtMillis the last evaluation, 0 before the first
   * @param active pending and firing alerts, by rule then scope
   * @param recent transitions, newest first
   */
  public record Report(boolean enabled, boolean evaluating, long intervalMillis,
      long evaluatedAtMillis, List<AlertTransition> active, List<AlertRule> rules,
      List<AlertTransition> recent) {
    /** The report of a server running with {@code --no-alerts}. */
    public static Report disabled() {
      return new Report(false, false, 0, 0, List.of(), List.of(), List.of());
    }
  }

  private final AlertConfig config;
  private final Duration interval;
  private final Supplier<Map<Scope, ModelMetrics>> served;
  private final MetricsWindow window;
  private final AlertNotifier notifier;
  private final Clock clock;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "mlserve-alerts");
    t.setDaemon(true);
    return t;
  });
  private volatile Consumer<Event> events = e -> { };
  private volatile Leadership leadership = Leadership.ALWAYS;
  private volatile EventLog.Subscription subscription;
  // @GuardedBy("this")
  private AlertEvaluator evaluator;
  // @GuardedBy("this")
  private Set<Scope> lastScopes = Set.of();
  // @GuardedBy("this")
  private long nextTickAt = Long.MIN_VALUE;
  private volatile AlertEvaluator current;
  private volatile boolean evaluating;
  private volatile long evaluatedAt;
  // @GuardedBy("history")
  private final ArrayDeque<AlertTransition> history = new ArrayDeque<>();

  /**
   * @param served the versions taking traffic now and their metrics ({@link ServedScopes})
   * @param window sampled every {@code interval}; its tick must be {@code interval}
   */
  public AlertService(AlertConfig config, Duration interval,
      Supplier<Map<Scope, ModelMetrics>> served, MetricsWindow window, AlertNotifier notifier,
      Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.interval = Objects.requireNonNull(interval, "interval");
    this.served = Objects.requireNonNull(served, "served");
    this.window = Objects.requireNonNull(window, "window");
    this.notifier = Objects.requireNonNull(notifier, "notifier");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.evaluator = new AlertEvaluator(config.rules(), clock);
    this.current = evaluator;
  }

  /**
   * The service of a server: its window samples every {@code interval} and keeps history for
   * the longest rule window; its notifier posts to the configured webhooks with real backoff.
   *
   * @param externalUrl the server's base URL, for the webhook bodies
   */
  public static AlertService create(AlertConfig config, Duration interval,
      Supplier<Map<Scope, ModelMetrics>> served, DriftSignals drift, ResourceUsage resources,
      Supplier<String> externalUrl, Clock clock) {
    Duration longest = config.rules().stream().map(AlertRule::window)
        .max(Duration::compareTo).orElse(interval);
    return new AlertService(config, interval, served,
        new MetricsWindow(drift, resources, clock, interval, longest),
        new AlertNotifier(config.webhooks(), externalUrl, AlertNotifier.Sleeper.SYSTEM,
            AlertNotifier.DEFAULT_QUEUE), clock);
  }

  /**
   * Sets who may evaluate and where events go (before {@link #start}; tests call it alone and
   * drive {@link #tick}/{@link #check} themselves).
   *
   * @param leadership the lease evaluation runs under
   * @param events where firing and resolved events are appended (the store's event log)
   */
  public void attach(Leadership leadership, Consumer<Event> events) {
    this.leadership = Objects.requireNonNull(leadership, "leadership");
    this.events = Objects.requireNonNull(events, "events");
  }

  /**
   * Attaches to a store (see {@link #attach}): evaluation under its {@code alerts} lease (held
   * for 3 intervals, at least 10 s, so a few missed ticks do not hand it over), events appended
   * to {@code events}, and this process's promotion, rollback and traffic events re-scoping at
   * once ({@link #onEvent}; unsubscribed on {@link #close}).
   *
   * @param holder this server's lease identity
   */
  public void followStore(ModelStore store, String holder, EventLog events) {
    long ttlMillis = Math.min(3_600_000, Math.max(10_000, 3 * interval.toMillis()));
    attach(Leadership.of(new StoreLease(store, "alerts", holder, Duration.ofMillis(ttlMillis),
        clock)), events::append);
    subscription = events.subscribe(this::onEvent);
  }

  /** How often the rules are evaluated. */
  public Duration interval() {
    return interval;
  }

  /** Evaluates every interval from now on (checking the served versions every second). */
  public void start() {
    long period = Math.min(interval.toMillis(), SCOPE_CHECK.toMillis());
    timer.scheduleWithFixedDelay(this::checkQuietly, 0, period, TimeUnit.MILLISECONDS);
  }

  private void checkQuietly() {
    try {
      check();
    } catch (RuntimeException e) {
      log.error("alert evaluation failed; the next one tries again", e);
    }
  }

  /** Ticks when the interval has passed or the served versions changed since the last tick. */
  public synchronized void check() {
    if (clock.millis() >= nextTickAt || !served.get().keySet().equals(lastScopes)) {
      tick();
    }
  }

  /**
   * One round now: a snapshot of the metrics, then (holding the lease) an evaluation whose
   * transitions are appended, kept and notified.
   *
   * @return the transitions (empty when this server does not hold the lease)
   */
  public synchronized List<AlertTransition> tick() {
    Map<Scope, ModelMetrics> now = served.get();
    window.sample(now);
    lastScopes = Set.copyOf(now.keySet());
    nextTickAt = clock.millis() + interval.toMillis();
    if (!leadership.acquire()) {
      if (evaluating) {
        log.info("alerts lease lost: another server evaluates the alert rules now");
        evaluating = false;
        evaluator = new AlertEvaluator(config.rules(), clock);
        current = evaluator;
      }
      return List.of();
    }
    evaluating = true;
    List<AlertTransition> transitions = evaluator.evaluate(now.keySet(), window);
    evaluatedAt = clock.millis();
    for (AlertTransition t : transitions) {
      synchronized (history) {
        if (history.size() == HISTORY) {
          history.removeLast();
        }
        history.addFirst(t);
      }
      if (AlertEvents.appends(t)) {
        log.info("alert {} {} for {}: value {} (threshold {})", t.rule(), t.to().wireName(),
            t.scope().isProcess() ? "the process" : t.scope().model() + " "
                + t.scope().version(), t.value(), t.threshold());
        try {
          events.accept(AlertEvents.of(t));
        } catch (RuntimeException e) { // e.g. a full disk: the alert still goes out
          log.warn("alert event not appended: {}", e.getMessage());
        }
      }
    }
    notifier.notify(transitions);
    return transitions;
  }

  /**
   * A promotion, rollback or traffic change of this process: checks the served versions at
   * once (and each second after, as always).
   */
  public void onEvent(Event e) {
    String type = e.eventType();
    if (type.equals(Event.PROMOTED) || type.equals(Event.ROLLED_BACK)
        || type.equals(Event.TRAFFIC_CHANGED)) {
      try {
        timer.execute(this::checkQuietly);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        // shutting down
      }
    }
  }

  /** The alerts, rules and recent transitions; with {@code model}, only that model's. */
  public Report report(String model) {
    List<AlertTransition> active = new ArrayList<>();
    for (AlertTransition t : current.active()) {
      if (matches(t, model)) {
        active.add(t);
      }
    }
    List<AlertTransition> recent = new ArrayList<>();
    synchronized (history) {
      for (AlertTransition t : history) {
        if (matches(t, model)) {
          recent.add(t);
        }
      }
    }
    return new Report(true, evaluating, interval.toMillis(), evaluatedAt, active,
        config.rules(), recent);
  }

  private static boolean matches(AlertTransition t, String model) {
    return model == null || model.isEmpty() || model.equals(t.scope().model());
  }

  /**
   * The alert families for {@code /metrics}: {@code mlserve_alerts} (1 per pending or firing
   * alert, labels alertname, state, severity, model, version; "" for a process alert, as
   * Prometheus' own {@code ALERTS}) and the notifier's counters.
   */
  public String metricsText() {
    StringBuilder out = new StringBuilder(512);
    PrometheusText.header(out, "mlserve_alerts", "gauge",
        "Pending and firing alerts this server evaluates, one series each.");
    for (AlertTransition t : current.active()) {
      out.append("mlserve_alerts{alertname=\"").append(PrometheusText.escape(t.rule()))
          .append("\",state=\"").append(t.to().wireName()).append("\",severity=\"")
          .append(PrometheusText.escape(t.severity())).append("\",model=\"")
          .append(t.scope().isProcess() ? "" : PrometheusText.escape(t.scope().model()))
          .append("\",version=\"")
          .append(t.scope().isProcess() ? "" : PrometheusText.escape(t.scope().version()))
          .append("\"} 1\n");
    }
    return out.append(notifier.metricsText()).toString();
  }

  /** Stops evaluating, gives the lease up and stops the webhook senders. */
  @Override
  public void close() {
    EventLog.Subscription s = subscription;
    if (s != null) {
      s.close();
    }
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      leadership.release();
    } catch (RuntimeException e) {
      log.warn("alerts lease not released: {}", e.getMessage());
    }
    notifier.close();
  }
}
