package io.mlserve.server.http;

import io.mlserve.server.netty.ConnectionLimits;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the HTTP gateway. Build with {@link #builder()}; every setting has a default.
 *
 * <p>Immutable; thread-safe.
 */
public final class HttpOptions {
  private final String bind;
  private final int port;
  private final int maxBodyBytes;
  private final int ioThreads;
  private final Duration requestTimeout;
  private final int bulkRowThreshold;
  private final int maxBulkJobs;
  private final long maxBulkJobBytes;
  private final Duration bulkJobTtl;
  private final int bulkJobWindow;
  private final Duration shutdownGrace;
  private final boolean h2c;
  private final ConnectionLimits connectionLimits;

  private HttpOptions(Builder b) {
    this.bind = b.bind;
    this.port = b.port;
    this.maxBodyBytes = b.maxBodyBytes;
    this.ioThreads = b.ioThreads;
    this.requestTimeout = b.requestTimeout;
    this.bulkRowThreshold = b.bulkRowThreshold;
    this.maxBulkJobs = b.maxBulkJobs;
    this.maxBulkJobBytes = b.maxBulkJobBytes;
    this.bulkJobTtl = b.bulkJobTtl;
    this.bulkJobWindow = b.bulkJobWindow;
    this.shutdownGrace = b.shutdownGrace;
    this.h2c = b.h2c;
    this.connectionLimits = b.connectionLimits;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults: 0.0.0.0:8080, 16 MiB bodies, see {@link Builder}. */
  public static HttpOptions defaults() {
    return builder().build();
  }

  public String bind() {
    return bind;
  }

  /** The port to bind; 0 picks a free one. */
  public int port() {
    return port;
  }

  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  public int ioThreads() {
    return ioThreads;
  }

  /** How long a synchronous inference may take; {@link Duration#ZERO} for no limit. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  public int bulkRowThreshold() {
    return bulkRowThreshold;
  }

  public int maxBulkJobs() {
    return maxBulkJobs;
  }

  public long maxBulkJobBytes() {
    return maxBulkJobBytes;
  }

  public Duration bulkJobTtl() {
    return bulkJobTtl;
  }

  public int bulkJobWindow() {
    return bulkJobWindow;
  }

  public Duration shutdownGrace() {
    return shutdownGrace;
  }

  public boolean h2c() {
    return h2c;
  }

  /** The connection cap and the idle, header-read and body-read timeouts. */
  public ConnectionLimits connectionLimits() {
    return connectionLimits;
  }

  /** Builds {@link HttpOptions}. Not thread-safe. */
  public static final class Builder {
    private String bind = "0.0.0.0";
    private int port = 8080;
    private int maxBodyBytes = 16 * 1024 * 1024;
    private int ioThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private Duration requestTimeout = Duration.ZERO;
    private int bulkRowThreshold = 10_000;
    private int maxBulkJobs = 16;
    private long maxBulkJobBytes = 256L * 1024 * 1024;
    private Duration bulkJobTtl = Duration.ofMinutes(10);
    private int bulkJobWindow = 8;
    private Duration shutdownGrace = Duration.ofSeconds(30);
    private boolean h2c = true;
    private ConnectionLimits connectionLimits = ConnectionLimits.defaults();

    private Builder() {}

    /** Address to bind (default {@code 0.0.0.0}). */
    public Builder bind(String bind) {
      this.bind = Objects.requireNonNull(bind, "bind");
      return this;
    }

    /** Port (default 8080; 0 picks a free one). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /** Largest request body; larger ones get 413 (default 16 MiB). */
    public Builder maxBodyBytes(int maxBodyBytes) {
      this.maxBodyBytes = positive(maxBodyBytes, "maxBodyBytes");
      return this;
    }

    /** Event-loop threads (default min(4, cores)). */
    public Builder ioThreads(int ioThreads) {
      this.ioThreads = positive(ioThreads, "ioThreads");
      return this;
    }

    /** Deadline of a synchronous inference request; zero for none (the default). */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = nonNegative(requestTimeout, "requestTimeout");
      return this;
    }

    /** A batch with more rows than this becomes a bulk job (default 10,000). */
    public Builder bulkRowThreshold(int rows) {
      this.bulkRowThreshold = positive(rows, "bulkRowThreshold");
      return this;
    }

    /** Bulk jobs held at once, running or finished (default 16). */
    public Builder maxBulkJobs(int jobs) {
      this.maxBulkJobs = positive(jobs, "maxBulkJobs");
      return this;
    }

    /** Memory reserved by all held bulk jobs' inputs and outputs (default 256 MiB). */
    public Builder maxBulkJobBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxBulkJobBytes must be >= 1, got " + bytes);
      }
      this.maxBulkJobBytes = bytes;
      return this;
    }

    /** How long a finished job's result is kept (default 10 minutes). */
    public Builder bulkJobTtl(Duration ttl) {
      this.bulkJobTtl = nonNegative(ttl, "bulkJobTtl");
      return this;
    }

    /** Chunks one bulk job keeps queued at once (default 8). */
    public Builder bulkJobWindow(int chunks) {
      this.bulkJobWindow = positive(chunks, "bulkJobWindow");
      return this;
    }

    /** How long {@code close()} waits for in-flight requests (default 30 s). */
    public Builder shutdownGrace(Duration grace) {
      this.shutdownGrace = nonNegative(grace, "shutdownGrace");
      return this;
    }

    /** Whether cleartext HTTP/2 by {@code Upgrade: h2c} is offered (default true). */
    public Builder h2c(boolean h2c) {
      this.h2c = h2c;
      return this;
    }

    /** Connection cap and timeouts (default {@link ConnectionLimits#defaults()}). */
    public Builder connectionLimits(ConnectionLimits limits) {
      this.connectionLimits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    public HttpOptions build() {
      return new HttpOptions(this);
    }

    private static int positive(int v, String name) {
      if (v < 1) {
        throw new IllegalArgumentException(name + " must be >= 1, got " + v);
      }
      return v;
    }

    private static Duration nonNegative(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, got " + d);
      }
      return d;
    }
  }
}
