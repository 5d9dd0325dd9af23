package io.mlserve.server.netty;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection cap and connection counters of one listener ({@code http} or {@code grpc}),
 * free of any Netty type so that both Netty copies (plain and grpc's shaded one) share it: an
 * accept takes a slot with {@link #tryOpen()} or is refused, a close gives it back. Refusals are
 * logged at most once per {@link #LOG_INTERVAL_NANOS} (with the count since the last line), so a
 * flood of connections cannot flood the log. {@link #prometheus} renders the counters of several
 * listeners as one set of metric families.
 *
 * <p>This class is thread-safe (atomics only; the accepting loop and every connection's loop
 * touch it).
 */
public final class ListenerStats {
  /** Why a connection was closed by a timeout. */
  public enum Timeout { IDLE, HEADER, BODY }

  static final long LOG_INTERVAL_NANOS = 10_000_000_000L;
  private static final Logger log = LoggerFactory.getLogger(ListenerStats.class);

  private final String listener;
  private final int maxConnections;
  private final LongSupplier nanoTime;
  private final AtomicInteger open = new AtomicInteger();
  private final LongAdder refused = new LongAdder();
  private final LongAdder[] timedOut = new LongAdder[Timeout.values().length];
  private final AtomicLong nextLogNanos;
  private final AtomicLong unlogged = new AtomicLong();

  /**
   * @param listener the listener's name, used as the {@code listener} label
   * @param maxConnections connections held open at once; more are refused
   */
  public ListenerStats(String listener, int maxConnections) {
    this(listener, maxConnections, System::nanoTime);
  }

  ListenerStats(String listener, int maxConnections, LongSupplier nanoTime) {
    this.listener = Objects.requireNonNull(listener, "listener");
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be >= 1, got " + maxConnections);
    }
    this.maxConnections = maxConnections;
    this.nanoTime = nanoTime;
    this.nextLogNanos = new AtomicLong(nanoTime.getAsLong());
    for (int i = 0; i < timedOut.length; i++) {
      timedOut[i] = new LongAdder();
    }
  }

  public String listener() {
    return listener;
  }

  public int maxConnections() {
    return maxConnections;
  }

  /**
   * Takes a connection slot. On false the caller must close the connection at once; the refusal
   * is counted and logged (rate-limited).
   *
   * @param remote the peer, for the log line
   */
  public boolean tryOpen(Object remote) {
    int n;
    do {
      n = open.get();
      if (n >= maxConnections) {
        refused(remote);
        return false;
      }
    } while (!open.compareAndSet(n, n + 1));
    return true;
  }

  /** Gives back a slot taken by {@link #tryOpen}. */
  public void closed() {
    open.decrementAndGet();
  }

  /** Counts a connection closed by a timeout. */
  public void countTimeout(Timeout why) {
    timedOut[why.ordinal()].increment();
  }

  public int open() {
    return open.get();
  }

  public long refused() {
    return refused.sum();
  }

  public long timedOut(Timeout why) {
    return timedOut[why.ordinal()].sum();
  }

  private void refused(Object remote) {
    refused.increment();
    unlogged.incrementAndGet();
    long now = nanoTime.getAsLong();
    long next = nextLogNanos.get();
    if (now - next >= 0 && nextLogNanos.compareAndSet(next, now + LOG_INTERVAL_NANOS)) {
      long count = unlogged.getAndSet(0);
      log.warn("{}: connection limit of {} reached; refused {} connection(s) since the last"
          + " report, the latest from {} (raise --max-connections if this is legitimate load)",
          listener, maxConnections, count, remote);
    }
  }

  /** The counters of {@code listeners} in the Prometheus text format. */
  public static String prometheus(Collection<ListenerStats> listeners) {
    List<ListenerStats> all = new ArrayList<>(listeners);
    StringBuilder out = new StringBuilder();
    family(out, "mlserve_connections_open", "gauge", "Connections open, per listener.");
    all.forEach(s -> out.append("mlserve_connections_open{listener=\"").append(s.listener)
        .append("\"} ").append(s.open()).append('\n'));
    family(out, "mlserve_connections_max", "gauge", "The connection cap, per listener.");
    all.forEach(s -> out.append("mlserve_connections_max{listener=\"").append(s.listener)
        .append("\"} ").append(s.maxConnections).append('\n'));
    family(out, "mlserve_connections_refused_total", "counter",
        "Connections closed on accept because the listener was at its cap.");
    all.forEach(s -> out.append("mlserve_connections_refused_total{listener=\"")
        .append(s.listener).append("\"} ").append(s.refused()).append('\n'));
    family(out, "mlserve_connections_timed_out_total", "counter",
        "Connections closed by the idle, header-read or body-read timeout.");
    for (ListenerStats s : all) {
      for (Timeout t : Timeout.values()) {
        out.append("mlserve_connections_timed_out_total{listener=\"").append(s.listener)
            .append("\",reason=\"").append(t.name().toLowerCase(Locale.ROOT)).append("\"} ")
            .append(s.timedOut(t)).append('\n');
      }
    }
    return out.toString();
  }

  private static void family(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }
}
