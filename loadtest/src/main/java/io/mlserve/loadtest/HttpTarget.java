package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * mlserve's REST API over HTTP/1.1 on a lean Netty client: {@code POST /api/v1/predict} with one
 * row per request, or {@code POST /api/v1/batch} with {@code batchSize} rows.
 *
 * <p>Every request (request line, headers and JSON body) is built once, before the run, into a
 * pooled direct buffer; a send writes a retained duplicate of it. Requests go over a fixed pool
 * of keep-alive connections, one request in flight per connection (no pipelining); a send that
 * finds every connection busy waits in a bounded queue for the next one to free up, so the
 * driver's own accounting (intended send times, lateness) stays as it was. Connections are
 * opened on demand, up to the pool's size, and reopened after a loss; a request on a connection
 * that dies, or that cannot get one because no connection can be made, ends as
 * {@link Outcome#CONNECTION_ERROR}. Answers are parsed minimally, in place from the socket's
 * buffers by a small HTTP/1.x response parser of our own ({@link HttpResponseParser}: status line; Content-Length, chunked
 * or read-to-close bodies; {@code Connection} for keep-alive), and only the status code and the
 * first {@code "version":"..."} of the body (a byte scan of its first {@value #SCAN_BYTES} bytes,
 * no JSON tree) are kept. The version strings seen are cached, so a steady run allocates nothing
 * per request here (Netty's pooled buffers and recycled duplicates aside).
 *
 * <p>Connections are partitioned into shards, one per I/O thread; a call always goes to the shard
 * its id picks, and all of a shard's state is touched only on its event loop, so nothing here
 * locks. A send from another thread hands the call's reusable task to the loop. Completions run
 * on the event loop. Thread-safe.
 */
final class HttpTarget implements Target {
  /** Connections of an open loop when {@code --connections} is not given. */
  static final int DEFAULT_CONNECTIONS = 64;
  /** Most requests one shard lets wait for a connection; beyond it a send fails at once. */
  static final int MAX_PENDING = 1 << 16;
  /** How much of a body the version scan looks at. */
  private static final int SCAN_BYTES = 4096;
  private static final int VERSION_CACHE = 16;

  private final String base;
  private final String path;
  private final String host;
  private final int port;
  private final Workload workload;
  private final ByteBuf[] requests;
  private final EventLoopGroup group;
  private final String transport;
  private final Shard[] shards;
  private final int connections;
  private final boolean batch;

  /**
   * @param base {@code http://host:port}
   * @param batch true: {@code /api/v1/batch} with the workload's batch size; false: predict
   * @param connections size of the connection pool, at least 1
   * @param ioThreads event loop threads (and shards), between 1 and {@code connections}
   */
  HttpTarget(String base, Workload workload, boolean batch, Duration connectTimeout,
      int connections, int ioThreads) {
    this.base = requireNonNull(base, "base");
    this.workload = requireNonNull(workload, "workload");
    if (!batch && workload.batchSize() != 1) {
      throw new IllegalArgumentException("--batch-size > 1 needs --http-api batch");
    }
    if (connections < 1) {
      throw new IllegalArgumentException("connections must be >= 1, got " + connections);
    }
    if (ioThreads < 1 || ioThreads > connections) {
      throw new IllegalArgumentException("io threads must be between 1 and connections ("
          + connections + "), got " + ioThreads);
    }
    URI uri = URI.create(base);
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("no host in " + base);
    }
    this.host = uri.getHost();
    this.port = uri.getPort() < 0 ? 80 : uri.getPort();
    this.path = batch ? "/api/v1/batch" : "/api/v1/predict";
    this.batch = batch;
    this.connections = connections;
    this.requests = new ByteBuf[workload.size()];
    String authority = uri.getRawAuthority();
    for (int k = 0; k < requests.length; k++) {
      requests[k] =
          RestMessages.request(path, authority, RestMessages.body(workload, k, batch));
    }

    IoHandlerFactory factory = NioIoHandler.newFactory();
    Class<? extends Channel> channelClass = NioSocketChannel.class;
    String name = "nio";
    try {
      Class<?> epoll = Class.forName("io.netty.channel.epoll.Epoll");
      if ((Boolean) epoll.getMethod("isAvailable").invoke(null)) {
        factory = (IoHandlerFactory) Class.forName("io.netty.channel.epoll.EpollIoHandler")
            .getMethod("newFactory").invoke(null);
        channelClass = Class.forName("io.netty.channel.epoll.EpollSocketChannel")
            .asSubclass(Channel.class);
        name = "epoll";
      }
    } catch (ReflectiveOperationException | LinkageError | ClassCastException absent) {
      // NIO it is
    }
    this.transport = name;
    this.group = new MultiThreadIoEventLoopGroup(ioThreads,
        new DefaultThreadFactory("loadtest-http", true), factory);
    this.shards = new Shard[ioThreads];
    for (int s = 0; s < ioThreads; s++) {
      EventLoop loop = group.next();
      Bootstrap bootstrap = new Bootstrap().group(loop).channel(channelClass)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
              (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toMillis())))
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              // handlers are added once connected, by the connection that asked
            }
          });
      int n = connections / ioThreads + (s < connections % ioThreads ? 1 : 0);
      shards[s] = new Shard(loop, bootstrap, n);
    }
  }

  @Override
  public void send(Call call, Sink sink) {
    Req req = (Req) call.transportState;
    if (req == null) {
      req = new Req(call, shards[call.id % shards.length]);
      call.transportState = req;
    }
    req.sink = sink;
    if (req.shard.loop.inEventLoop()) {
      req.shard.dispatch(req);
    } else {
      req.shard.loop.execute(req);
    }
  }

  @Override
  public int requests() {
    return requests.length;
  }

  @Override
  public int modelOf(int request) {
    return workload.modelOf(request);
  }

  @Override
  public String explain(int request, Duration timeout) throws InterruptedException {
    return ServerAnswer.http(URI.create(base + path), RestMessages.body(workload, request, batch),
        timeout);
  }

  @Override
  public List<String> models() {
    return workload.models();
  }

  @Override
  public String describe() {
    return String.format(Locale.ROOT, "%s POST %s over %d connection(s) (%s, %d I/O thread(s)), %s",
        base, path, connections, transport, shards.length, workload.describe());
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    for (ByteBuf b : requests) {
      if (b.refCnt() > 0) {
        b.release();
      }
    }
  }

  /** One per {@link Call}: the task that hands it to its shard's loop, reused for every send. */
  private static final class Req implements Runnable {
    final Call call;
    final Shard shard;
    Sink sink;

    Req(Call call, Shard shard) {
      this.call = call;
      this.shard = shard;
    }

    @Override
    public void run() {
      shard.dispatch(this);
    }

    void complete(int outcome, String version) {
      sink.completed(call, outcome, version);
    }
  }

  /** Connections on one event loop, and the requests waiting for one. Loop-confined. */
  private final class Shard {
    final EventLoop loop;
    final Bootstrap bootstrap;
    final ArrayDeque<Conn> idle;
    final ArrayDeque<Conn> down;
    final ArrayDeque<Req> pending = new ArrayDeque<>(256);
    final String[] versions = new String[VERSION_CACHE];
    final byte[][] versionBytes = new byte[VERSION_CACHE][];
    int connecting;
    int live;

    Shard(EventLoop loop, Bootstrap bootstrap, int connections) {
      this.loop = loop;
      this.bootstrap = bootstrap;
      this.idle = new ArrayDeque<>(connections);
      this.down = new ArrayDeque<>(connections);
      for (int i = 0; i < connections; i++) {
        down.add(new Conn(this));
      }
    }

    void dispatch(Req req) {
      Conn c = idle.pollLast();
      if (c != null) {
        c.start(req);
        return;
      }
      if (pending.size() >= MAX_PENDING) {
        req.complete(Outcome.CONNECTION_ERROR, null);
        return;
      }
      pending.addLast(req);
      connectMore();
    }

    /** Opens connections while fewer are on their way than requests wait. */
    void connectMore() {
      while (connecting < pending.size() && !down.isEmpty()) {
        down.pollFirst().connect();
      }
    }

    /** {@code c} is connected and free: it takes the oldest waiting request, or waits. */
    void ready(Conn c) {
      Req next = pending.pollFirst();
      if (next != null) {
        c.start(next);
      } else {
        idle.addLast(c);
      }
    }

    void connectFailed(Conn c) {
      connecting--;
      down.addLast(c);
      if (live == 0 && connecting == 0) {
        // Nothing can carry the waiting requests: they fail now, and the next send tries again.
        Req r;
        while ((r = pending.pollFirst()) != null) {
          r.complete(Outcome.CONNECTION_ERROR, null);
        }
      }
    }

    /** {@code c} lost its connection (or gave it up); it may be reopened. */
    void lost(Conn c, boolean wasIdle) {
      live--;
      if (wasIdle) {
        idle.remove(c);
      }
      down.addLast(c);
      connectMore();
    }

    /** The version string for {@code bytes[from, from + len)}, from the cache when seen before. */
    String version(byte[] bytes, int from, int len) {
      for (int i = 0; i < VERSION_CACHE; i++) {
        byte[] v = versionBytes[i];
        if (v == null) {
          String s = new String(bytes, from, len, StandardCharsets.UTF_8);
          versionBytes[i] = java.util.Arrays.copyOfRange(bytes, from, from + len);
          versions[i] = s;
          return s;
        }
        if (java.util.Arrays.equals(v, 0, v.length, bytes, from, from + len)) {
          return versions[i];
        }
      }
      return new String(bytes, from, len, StandardCharsets.UTF_8);
    }
  }

  private static final int DOWN = 0;
  private static final int CONNECTING = 1;
  private static final int IDLE = 2;
  private static final int BUSY = 3;

  /** One keep-alive connection, reopened when lost. Loop-confined. */
  private final class Conn implements ChannelFutureListener, HttpResponseParser.Sink {
    final Shard shard;
    final HttpResponseParser parser = new HttpResponseParser(this, SCAN_BYTES);
    Channel channel;
    /** The channel whose bytes are being parsed right now. */
    private Channel readingFrom;
    int state = DOWN;
    /** The channel is being closed for a bad answer: what else it delivers is ignored. */
    boolean broken;
    Req current;

    Conn(Shard shard) {
      this.shard = shard;
    }

    void connect() {
      state = CONNECTING;
      shard.connecting++;
      shard.bootstrap.connect(host, port).addListener(this);
    }

    @Override
    public void operationComplete(ChannelFuture f) {
      if (!f.isSuccess()) {
        state = DOWN;
        shard.connectFailed(this);
        return;
      }
      Channel ch = f.channel();
      ch.pipeline().addLast(new Handler(this, ch));
      shard.connecting--;
      shard.live++;
      channel = ch;
      broken = false;
      parser.reset();
      state = IDLE;
      if (!ch.isActive()) {
        detach(false);
        return;
      }
      shard.ready(this);
    }

    void start(Req req) {
      state = BUSY;
      current = req;
      parser.expect();
      channel.writeAndFlush(requests[req.call.request].retainedDuplicate(), channel.voidPromise());
    }

    /** Bytes from the socket: parsed in place, as far as they go. */
    void read(ByteBuf in) {
      readingFrom = channel;
      parser.feed(in);
    }

    @Override
    public boolean reading() {
      return channel == readingFrom && !broken;
    }

    @Override
    public boolean awaiting() {
      return state == BUSY;
    }

    @Override
    public void malformed() {
      breakOff();
    }

    /** Closes the channel; its end (see {@link #inactive}) fails the request on it. */
    private void breakOff() {
      broken = true;
      channel.close();
    }

    @Override
    public void complete(int status, boolean keepAlive, byte[] bodyStart, int bodyStartLength) {
      Req req = current;
      current = null;
      int outcome = Outcome.http(status);
      String version = null;
      if (outcome == Outcome.OK) {
        long span = RestMessages.versionSpan(bodyStart, bodyStartLength);
        if (span >= 0) {
          version = shard.version(bodyStart, (int) (span >>> 32), (int) span);
        }
      }
      if (keepAlive) {
        state = IDLE;
        shard.ready(this);
      } else {
        detach(true);
      }
      req.complete(outcome, version);
    }

    void inactive(Channel ch) {
      if (ch != channel) {
        return; // an earlier connection, already given up
      }
      if (current != null && parser.readsUntilClose() && !broken) {
        parser.endOfStream(); // the body ran to the end of the connection, as its head said
        return;
      }
      Req req = current;
      current = null;
      detach(false);
      if (req != null) {
        req.complete(Outcome.CONNECTION_ERROR, null);
      }
    }

    /** Forgets the channel (closing it when asked) and hands this connection back as down. */
    private void detach(boolean close) {
      Channel ch = channel;
      boolean wasIdle = state == IDLE;
      channel = null;
      state = DOWN;
      if (close && ch != null) {
        ch.close();
      }
      shard.lost(this, wasIdle);
    }
  }

  /** Per channel: hands the socket's bytes and the channel's end to its connection. */
  private static final class Handler extends ChannelInboundHandlerAdapter {
    private final Conn conn;
    private final Channel channel;

    Handler(Conn conn, Channel channel) {
      this.conn = conn;
      this.channel = channel;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (conn.channel == channel && msg instanceof ByteBuf in) {
          conn.read(in);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      conn.inactive(channel);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
