package io.mlserve.server.netty;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Objects;

/**
 * How much one listener (the HTTP gateway or the gRPC port) lets clients hold: at most
 * {@code maxConnections} open connections (more are accepted and closed at once), and timeouts
 * that free the connections of clients that do not use them.
 *
 * <ul>
 *   <li>{@code idleTimeout}: a connection with no request in flight and no bytes of a new one
 *       for this long is closed (gRPC: {@code maxConnectionIdle}).
 *   <li>{@code headerTimeout}: a request's headers must arrive within this time of their first
 *       byte (a slowloris is cut); gRPC: the time a new connection has to complete its HTTP/2
 *       handshake.
 *   <li>{@code bodyTimeout}: a request's body must arrive within this time of its headers.
 *   <li>{@code maxConnectionAge} and its grace (gRPC only; zero: no limit): a connection is
 *       asked to go away after this age and closed after the grace.
 *   <li>{@code permitKeepAliveTime} (gRPC only): clients pinging more often are disconnected.
 * </ul>
 *
 * <p>Every value is bounded (see {@link #MAX_CONNECTIONS} and {@link #MAX_TIMEOUT}), so that a
 * typo cannot turn a guard off. Immutable; thread-safe.
 */
public record ConnectionLimits(
    int maxConnections,
    Duration idleTimeout,
    Duration headerTimeout,
    Duration bodyTimeout,
    Duration maxConnectionAge,
    Duration maxConnectionAgeGrace,
    Duration permitKeepAliveTime) {
  /** The largest connection cap accepted. */
  public static final int MAX_CONNECTIONS = 1_000_000;
  /** The longest timeout accepted (one day). */
  public static final Duration MAX_TIMEOUT = Duration.ofDays(1);

  /**
   * The default connection cap of one listener: 10,000, or less where the process may open
   * fewer file descriptors: a quarter of the limit (less some for the store, the models and the
   * JVM), so that two full listeners still leave half of the descriptors free.
   */
  public static int defaultMaxConnections() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      long fds = unix.getMaxFileDescriptorCount();
      if (fds > 0) {
        return (int) Math.max(16, Math.min(10_000, (fds - 256) / 4));
      }
    }
    return 10_000;
  }

  /**
   * The defaults: {@link #defaultMaxConnections()} per listener, 5 minutes idle, 10 s for headers, 60 s for a
   * body, no connection age limit (30 s grace), gRPC pings at most every 5 minutes (grpc-java's
   * own default).
   */
  public static ConnectionLimits defaults() {
    return new ConnectionLimits(defaultMaxConnections(), Duration.ofMinutes(5), Duration.ofSeconds(10),
        Duration.ofSeconds(60), Duration.ZERO, Duration.ofSeconds(30), Duration.ofMinutes(5));
  }

  /**
   * @throws IllegalArgumentException a value out of its bounds, named
   */
  public ConnectionLimits {
    if (maxConnections < 1 || maxConnections > MAX_CONNECTIONS) {
      throw new IllegalArgumentException(
          "maxConnections must be 1.." + MAX_CONNECTIONS + ", got " + maxConnections);
    }
    positive(idleTimeout, "idleTimeout");
    positive(headerTimeout, "headerTimeout");
    positive(bodyTimeout, "bodyTimeout");
    bounded(maxConnectionAge, "maxConnectionAge");
    bounded(maxConnectionAgeGrace, "maxConnectionAgeGrace");
    positive(permitKeepAliveTime, "permitKeepAliveTime");
  }

  public ConnectionLimits withMaxConnections(int max) {
    return new ConnectionLimits(max, idleTimeout, headerTimeout, bodyTimeout, maxConnectionAge,
        maxConnectionAgeGrace, permitKeepAliveTime);
  }

  public ConnectionLimits withTimeouts(Duration idle, Duration header, Duration body) {
    return new ConnectionLimits(maxConnections, idle, header, body, maxConnectionAge,
        maxConnectionAgeGrace, permitKeepAliveTime);
  }

  public ConnectionLimits withMaxConnectionAge(Duration age, Duration grace) {
    return new ConnectionLimits(maxConnections, idleTimeout, headerTimeout, bodyTimeout, age,
        grace, permitKeepAliveTime);
  }

  public ConnectionLimits withPermitKeepAliveTime(Duration time) {
    return new ConnectionLimits(maxConnections, idleTimeout, headerTimeout, bodyTimeout,
        maxConnectionAge, maxConnectionAgeGrace, time);
  }

  private static void positive(Duration d, String name) {
    bounded(d, name);
    if (d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }

  private static void bounded(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.compareTo(MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          name + " must be between 0 and " + MAX_TIMEOUT.toHours() + " hours, got " + d);
    }
  }
}
