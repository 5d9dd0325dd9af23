package io.mlserve.server.http;

import io.mlserve.registry.ModelRegistry;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.bulk.BulkJobs;
import io.mlserve.server.core.ServerState;
import io.mlserve.server.experiment.Experiments;
import io.mlserve.server.evaluation.EvaluationRunner;
import io.mlserve.server.http.admin.AdminApi;
import io.mlserve.server.http.admin.AdminDashboard;
import io.mlserve.server.http.admin.AdminEvaluations;
import io.mlserve.server.http.admin.AdminRepository;
import io.mlserve.server.history.MetricsHistory;
import io.mlserve.server.http.inference.ExperimentsApi;
import io.mlserve.server.http.inference.MetricsApi;
import io.mlserve.server.http.inference.OipRestApi;
import io.mlserve.server.triton.shm.SharedMemoryRegistry;
import io.mlserve.server.triton.shm.SharedMemoryRest;
import io.mlserve.server.http.inference.PredictApi;
import io.mlserve.server.http.inference.AlertsApi;
import io.mlserve.server.http.inference.DriftApi;
import io.mlserve.server.http.inference.ShadowApi;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.http.ui.UiFiles;
import io.mlserve.server.usage.UsageCounts;
import io.mlserve.server.netty.ListenerStats;
import io.mlserve.server.reload.ChangeApplier;
import io.mlserve.server.reload.ModelStatus;
import io.mlserve.server.serving.InferenceService;
import io.mlserve.server.alerts.AlertService;
import io.mlserve.server.shadow.Shadows;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST gateway: a Netty HTTP/1.1 server (keep-alive, pipelining, and cleartext HTTP/2 by
 * upgrade or prior knowledge) serving the seed's {@code /api/v1} JSON API with bulk jobs, the
 * Open Inference Protocol's {@code /v2} REST paths, {@code /healthz}, {@code /readyz},
 * {@code /metrics} and, when given a registry, the admin routes under {@code /api/v1/models}
 * and {@code /api/v1/events} ({@link AdminApi}), and the dashboard: its page at {@code /ui/}
 * ({@link UiFiles}) and its aggregate reads under {@code /api/v1/dashboard}
 * ({@link AdminDashboard}). Requests are decoded on the event loop, queued on the model's
 * batcher, and
 * answered from the batcher's completion; nothing blocks an event loop.
 *
 * <p>Connections are capped ({@link AcceptCap}: one beyond the cap is closed on accept) and
 * timed out when idle or slow to send a request ({@link HttpTimeouts}), as the options'
 * {@link HttpOptions#connectionLimits()} say; {@link #stats()} counts both.
 *
 * <p>Build with {@link #builder}, then {@link #start()}; {@link #close()} stops accepting,
 * lets in-flight requests finish (up to the configured grace), cancels running bulk jobs and
 * stops the event loops. This class is thread-safe.
 */
public final class HttpGateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpGateway.class);

  private final HttpOptions options;
  private final Routes routes = new Routes();
  private final BulkJobs jobs;
  private final AdminApi admin;
  private final AdminEvaluations evaluations; // null: no evaluation routes
  private final AdminRepository repository; // null: no /v2/repository routes
  private final InFlight inFlight = new InFlight();
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final ListenerStats stats;
  private final Object lifecycle = new Object();
  // @GuardedBy("lifecycle")
  private EventLoopGroup boss;
  // @GuardedBy("lifecycle")
  private EventLoopGroup workers;
  // @GuardedBy("lifecycle")
  private Channel serverChannel;
  // @GuardedBy("lifecycle")
  private boolean closed;

  private HttpGateway(Builder b) {
    this.options = b.options;
    this.stats = b.stats != null ? b.stats
        : new ListenerStats("http", options.connectionLimits().maxConnections());
    this.jobs = new BulkJobs(options.maxBulkJobs(), options.maxBulkJobBytes(),
        options.bulkJobTtl().toNanos(), b.ticker);
    new PredictApi(b.service, new PredictApi.Settings(options.requestTimeout(),
        options.bulkRowThreshold(), options.bulkJobWindow()), jobs, this::schedule).register(routes);
    new OipRestApi(b.service, b.state, b.serverVersion, options.requestTimeout(),
        b.sharedMemory).register(routes);
    new SharedMemoryRest(b.sharedMemory, b.sharedMemoryToken).register(routes);
    if (b.experiments != null) {
      new ExperimentsApi(b.experiments, b.service.router()).register(routes);
    }
    if (b.shadows != null) {
      new ShadowApi(b.shadows).register(routes);
    }
    if (b.metricsHistory != null) {
      new MetricsApi(b.metricsHistory).register(routes);
    }
    if (b.alerts != null) {
      new AlertsApi(b.alerts).register(routes);
    }
    if (b.drift != null) {
      new DriftApi(b.drift).register(routes);
    }
    new HealthApi(b.state, b.service.router(), b.metrics, b.statuses).register(routes);
    this.admin = new AdminApi(b.registry, b.statuses, b.adminToken, b.applied);
    admin.register(routes);
    new AdminDashboard(admin, b.metricsHistory, b.usage).register(routes);
    new UiFiles().register(routes);
    this.evaluations = b.evaluations == null ? null
        : new AdminEvaluations(b.evaluations, b.adminToken);
    if (evaluations != null) {
      evaluations.register(routes);
    }
    this.repository = b.repository == null ? null
        : new AdminRepository(b.repository, b.adminToken);
    if (repository != null) {
      repository.register(routes);
    }
  }

  /**
   * A builder for a gateway over the given serving entry point and server state; request
   * deadlines and bulk-job expiry run on the service's ticker.
   */
  public static Builder builder(InferenceService service, ServerState state) {
    return new Builder(service, state);
  }

  /**
   * Binds the port and starts serving.
   *
   * @return the bound port (the chosen one when the options say 0)
   * @throws IllegalStateException when started twice or after close
   */
  public int start() throws InterruptedException {
    synchronized (lifecycle) {
      if (serverChannel != null || closed) {
        throw new IllegalStateException("already started or closed");
      }
      Transport t = Transport.best();
      boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("http-accept", true),
          t.factory());
      workers = new MultiThreadIoEventLoopGroup(options.ioThreads(),
          new DefaultThreadFactory("http-io", true), t.factory());
      ServerBootstrap b = new ServerBootstrap()
          .group(boss, workers)
          .channel(t.serverChannel())
          .option(ChannelOption.SO_BACKLOG, 1024)
          .handler(new AcceptCap(stats))
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(
              64, 2048, HttpPipeline.MAX_READ_BYTES))
          // A client that shuts down its sending side still gets the answers to what it sent.
          .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
          .childHandler(new HttpPipeline(options, routes, inFlight, channels, stats));
      try {
        serverChannel = b.bind(new InetSocketAddress(options.bind(), options.port())).sync()
            .channel();
      } catch (RuntimeException | InterruptedException e) {
        boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        throw e;
      }
      int port = port();
      log.info("HTTP listening on {}:{} ({})", options.bind(), port, t.name());
      return port;
    }
  }

  /** The connection counters of this listener (label {@code listener="http"}). */
  public ListenerStats stats() {
    return stats;
  }

  /** The bound port; -1 before start. */
  public int port() {
    synchronized (lifecycle) {
      return serverChannel == null ? -1
          : ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }
  }

  /**
   * Graceful stop: stop accepting connections and requests, let requests in flight finish (up
   * to the shutdown grace), cancel running bulk jobs, close connections, stop the event loops.
   * Idempotent.
   */
  @Override
  public void close() {
    EventLoopGroup b;
    EventLoopGroup w;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      b = boss;
      w = workers;
      if (serverChannel != null) {
        serverChannel.close().syncUninterruptibly();
      }
    }
    inFlight.close();
    try {
      if (!inFlight.awaitIdle(options.shutdownGrace().toNanos())) {
        log.warn("HTTP requests still in flight after {}; closing their connections",
            options.shutdownGrace());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    jobs.cancelAll();
    admin.close();
    if (evaluations != null) {
      evaluations.close();
    }
    if (repository != null) {
      repository.close();
    }
    channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    if (b != null) {
      b.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      w.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      b.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
      w.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  private void schedule(Runnable task, long delayMillis) {
    EventLoopGroup w;
    synchronized (lifecycle) {
      w = workers;
    }
    if (w != null && !w.isShuttingDown()) {
      w.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Counts requests being answered, so that close can wait for them; refuses new ones once
   * closing. Thread-safe.
   */
  static final class InFlight {
    // @GuardedBy("this")
    private int count;
    // @GuardedBy("this")
    private boolean closing;

    /** Registers a request; false when closing (answer 503). */
    synchronized boolean begin() {
      if (closing) {
        return false;
      }
      count++;
      return true;
    }

    synchronized void end() {
      if (--count == 0) {
        notifyAll();
      }
    }

    synchronized void close() {
      closing = true;
    }

    synchronized boolean awaitIdle(long nanos) throws InterruptedException {
      long deadline = System.nanoTime() + nanos;
      while (count > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    }
  }

  /** Builds an {@link HttpGateway}. Not thread-safe. */
  public static final class Builder {
    private final InferenceService service;
    private final ServerState state;
    private final Ticker ticker;
    private HttpOptions options = HttpOptions.defaults();
    private Supplier<String> metrics = () -> "";
    private String serverVersion = "unknown";
    private ModelRegistry registry;
    private Supplier<Map<String, ModelStatus>> statuses = Map::of;
    private String adminToken;
    private ListenerStats stats;
    private Experiments experiments;
    private Shadows shadows;
    private MetricsHistory metricsHistory;
    private java.util.function.Function<String, AlertService.Report> alerts;
    private io.mlserve.server.drift.DriftMonitor drift;
    private UsageCounts usage;
    private EvaluationRunner evaluations;
    private ChangeApplier applied = ChangeApplier.NONE;
    private SharedMemoryRegistry sharedMemory = SharedMemoryRegistry.disabled();
    private String sharedMemoryToken;
    private io.mlserve.server.triton.RepositoryService repository;

    private Builder(InferenceService service, ServerState state) {
      this.service = Objects.requireNonNull(service, "service");
      this.state = Objects.requireNonNull(state, "state");
      this.ticker = service.ticker();
    }

    /**
     * The system shared-memory regions {@code /v2} inference may use and
     * {@code /v2/systemsharedmemory/...} manages (default: a disabled registry, which refuses
     * registration and lists none).
     *
     * @param tokenOrNull the admin token register/unregister need; null or blank: none
     */
    public Builder sharedMemory(SharedMemoryRegistry registry, String tokenOrNull) {
      this.sharedMemory = Objects.requireNonNull(registry, "registry");
      this.sharedMemoryToken = tokenOrNull;
      return this;
    }

    public Builder options(HttpOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    /** The body of {@code GET /metrics} (Prometheus text); default empty. */
    public Builder metrics(Supplier<String> metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /** Reported by {@code GET /v2}. */
    public Builder serverVersion(String serverVersion) {
      this.serverVersion = Objects.requireNonNull(serverVersion, "serverVersion");
      return this;
    }

    /**
     * The per-model reload status shown by {@code /readyz} and the admin routes (normally
     * {@code ReloadCoordinator::statuses}); default none.
     */
    public Builder statuses(Supplier<Map<String, ModelStatus>> statuses) {
      this.statuses = Objects.requireNonNull(statuses, "statuses");
      return this;
    }

    /**
     * Serves the registry admin routes under {@code /api/v1/models} over {@code registry},
     * showing {@code statuses} as each model's live state. Without this they answer 404.
     *
     * @param adminTokenOrNull the token mutating routes need as {@code Authorization: Bearer};
     *     null or blank: none (the same rule as the admin gRPC service)
     */
    public Builder admin(ModelRegistry registry, Supplier<Map<String, ModelStatus>> statuses,
        String adminTokenOrNull) {
      this.registry = Objects.requireNonNull(registry, "registry");
      this.adminToken = adminTokenOrNull;
      return statuses(statuses);
    }

    /**
     * The counters (and connection cap) of this listener; default: new ones named {@code http}
     * with the cap of the options' {@link HttpOptions#connectionLimits()}.
     */
    public Builder stats(ListenerStats stats) {
      this.stats = Objects.requireNonNull(stats, "stats");
      return this;
    }

    /**
     * Serves outcome feedback ({@code POST /api/v1/feedback}) and the A/B report
     * ({@code GET /api/v1/models/{m}/ab}) from {@code experiments}; without it they are 404.
     */
    public Builder experiments(Experiments experiments) {
      this.experiments = Objects.requireNonNull(experiments, "experiments");
      return this;
    }

    /** Serves the shadow report ({@code GET /api/v1/models/{m}/shadow}); without it, 404. */
    /** Serves {@code GET /api/v1/alerts} from these reports (by model; null: all). */
    public Builder alerts(java.util.function.Function<String, AlertService.Report> reports) {
      this.alerts = Objects.requireNonNull(reports, "reports");
      return this;
    }

    public Builder shadows(Shadows shadows) {
      this.shadows = Objects.requireNonNull(shadows, "shadows");
      return this;
    }

    /** Serves a model's live drift ({@code GET /api/v1/models/{m}/drift}); without it, 404. */
    public Builder drift(io.mlserve.server.drift.DriftMonitor drift) {
      this.drift = Objects.requireNonNull(drift, "drift");
      return this;
    }

    /**
     * Serves the dashboard's metrics ({@code GET /api/v1/metrics/live}, {@code /history},
     * {@code /series}) from {@code history}; without it, 404.
     */
    public Builder metricsHistory(MetricsHistory history) {
      this.metricsHistory = Objects.requireNonNull(history, "history");
      return this;
    }

    /**
     * The counts {@code GET /api/v1/dashboard/usage} answers (normally {@code MlServer::usage});
     * without them its rows are empty.
     */
    public Builder usage(UsageCounts usage) {
      this.usage = Objects.requireNonNull(usage, "usage");
      return this;
    }

    /**
     * Serves the evaluation routes under {@code /api/v1/models/{m}/versions/{v}/evaluations}
     * ({@link AdminEvaluations}) over {@code runner}, under the admin token of {@link #admin};
     * without it they are 404.
     */
    public Builder evaluations(EvaluationRunner runner) {
      this.evaluations = Objects.requireNonNull(runner, "runner");
      return this;
    }

    /**
     * How a model change made through the admin routes is applied to this server before the
     * call is answered (read-your-writes, normally {@code MlServer::awaitApplied}); default:
     * answered once the store is written, applied on the next read of the event log.
     */
    public Builder appliedBy(ChangeApplier applier) {
      this.applied = Objects.requireNonNull(applier, "applier");
      return this;
    }

    /**
     * Serves Triton's repository routes under {@code /v2/repository} ({@link AdminRepository})
     * over {@code repository}, load and unload under the admin token of {@link #admin}; without
     * it they are 404.
     */
    public Builder repository(io.mlserve.server.triton.RepositoryService repository) {
      this.repository = Objects.requireNonNull(repository, "repository");
      return this;
    }

    public HttpGateway build() {
      return new HttpGateway(this);
    }
  }
}
