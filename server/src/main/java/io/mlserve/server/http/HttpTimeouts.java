package io.mlserve.server.http;

import io.mlserve.server.netty.ConnectionLimits;
import io.mlserve.server.netty.ListenerStats;
import io.mlserve.server.netty.ListenerStats.Timeout;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read timeouts of one HTTP connection, as Go's {@code http.Server} has them:
 *
 * <ul>
 *   <li>header timeout: from the first byte of a request until its headers are complete (a
 *       slowloris that sends a header byte at a time is cut);
 *   <li>body timeout: from the end of the headers until the end of the body;
 *   <li>idle timeout: while no request is being read or answered (after the last answer of a
 *       keep-alive connection, or from the accept).
 * </ul>
 *
 * A connection that overruns one is closed and counted in {@link ListenerStats}. While the
 * gateway itself has paused reading (pipelining backpressure), a timer that fires is re-armed
 * instead: the client is not the one being slow. After an upgrade to HTTP/2 only the idle timeout
 * applies, and "idle" means no open stream.
 *
 * <p>Two handlers share the state: {@link #bytes()} sits before the HTTP codec and sees the raw
 * reads, {@link #messages()} sits after it and sees decoded requests and the answers written.
 * HTTP/2 streams report themselves through {@link #stream()}. Not thread-safe: everything runs
 * on the connection's event loop (HTTP/2 stream channels share it).
 */
final class HttpTimeouts {
  private static final Logger log = LoggerFactory.getLogger(HttpTimeouts.class);

  private enum Phase { IDLE, HEADERS, BODY }

  private final ListenerStats stats;
  private final long idleNanos;
  private final long headerNanos;
  private final long bodyNanos;
  private ChannelHandlerContext ctx;
  private Phase phase = Phase.IDLE;
  /**
   * HTTP/1 requests read whose final answer is not written yet, minus answers written before
   * their request was read to the end (a 413, a 417): idle when at most 0.
   */
  private int pending;
  /** Open HTTP/2 streams. */
  private int streams;
  private boolean answering;
  private boolean http2;
  private Future<?> timer;

  HttpTimeouts(ConnectionLimits limits, ListenerStats stats) {
    this.stats = stats;
    this.idleNanos = limits.idleTimeout().toNanos();
    this.headerNanos = limits.headerTimeout().toNanos();
    this.bodyNanos = limits.bodyTimeout().toNanos();
  }

  /** The handler before the codec: a read that starts a request starts the header timer. */
  ChannelHandler bytes() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void handlerAdded(ChannelHandlerContext c) {
        ctx = c;
        if (c.channel().isActive()) {
          rearm();
        }
      }

      @Override
      public void channelActive(ChannelHandlerContext c) throws Exception {
        rearm();
        super.channelActive(c);
      }

      @Override
      public void channelRead(ChannelHandlerContext c, Object msg) {
        if (!http2 && phase == Phase.IDLE) {
          phase = Phase.HEADERS;
          arm(headerNanos, Timeout.HEADER);
        }
        c.fireChannelRead(msg);
      }

      @Override
      public void userEventTriggered(ChannelHandlerContext c, Object evt) throws Exception {
        if (http2 && evt instanceof ChannelInputShutdownEvent) {
          c.close(); // HTTP/2 has no half-closed connections; HTTP/1 answers what it read
          return;
        }
        super.userEventTriggered(c, evt);
      }

      @Override
      public void channelInactive(ChannelHandlerContext c) throws Exception {
        cancel();
        super.channelInactive(c);
      }
    };
  }

  /** The handler after the codec: follows each request's headers, body and answer. */
  ChannelHandler messages() {
    return new ChannelDuplexHandler() {
      @Override
      public void channelRead(ChannelHandlerContext c, Object msg) {
        if (msg instanceof HttpRequest) {
          phase = Phase.BODY;
          arm(bodyNanos, Timeout.BODY);
        }
        if (msg instanceof LastHttpContent) {
          phase = Phase.IDLE;
          pending++;
          rearm();
        }
        c.fireChannelRead(msg);
      }

      @Override
      public void write(ChannelHandlerContext c, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse r && r.status().code() >= 200) {
          answering = true; // 1xx (100 Continue, 101) are not the answer
        }
        if (answering && msg instanceof LastHttpContent) {
          answering = false;
          pending--; // may go below 0 for a moment: a 413 is sent before its body is read
          if (phase == Phase.IDLE) {
            rearm();
          }
        }
        c.write(msg, promise);
      }
    };
  }

  /** The handler of each HTTP/2 stream: an open stream keeps the connection from idling. */
  ChannelHandler stream() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void handlerAdded(ChannelHandlerContext c) {
        streams++;
        rearm();
      }

      @Override
      public void channelInactive(ChannelHandlerContext c) throws Exception {
        streams--;
        rearm();
        super.channelInactive(c);
      }
    };
  }

  /** The connection switched to HTTP/2: from now on only open streams count. */
  void upgradedToHttp2() {
    http2 = true;
    phase = Phase.IDLE;
    rearm();
  }

  private void rearm() {
    if (phase == Phase.IDLE && (http2 ? streams : pending) <= 0) {
      arm(idleNanos, Timeout.IDLE);
    } else if (phase == Phase.IDLE) {
      cancel();
    }
  }

  private void arm(long nanos, Timeout why) {
    cancel();
    if (ctx == null || !ctx.channel().isActive()) {
      return;
    }
    timer = ctx.executor().schedule(() -> expire(why, nanos), nanos, TimeUnit.NANOSECONDS);
  }

  private void expire(Timeout why, long nanos) {
    timer = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    if (!ctx.channel().config().isAutoRead() && why != Timeout.IDLE) {
      arm(nanos, why); // the gateway paused reading: the client is not the slow one
      return;
    }
    stats.countTimeout(why);
    log.debug("closing connection from {}: no {} within {} ms", ctx.channel().remoteAddress(),
        switch (why) {
          case IDLE -> "request";
          case HEADER -> "complete request headers";
          case BODY -> "complete request body";
        }, TimeUnit.NANOSECONDS.toMillis(nanos));
    ctx.channel().close();
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
