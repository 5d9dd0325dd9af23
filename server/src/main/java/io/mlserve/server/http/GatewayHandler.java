package io.mlserve.server.http;

import io.mlserve.server.http.route.Endpoint;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.http.route.Routes;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per connection (or per HTTP/2 stream): routes each aggregated request to its endpoint and
 * writes the answer when the endpoint's future completes, on whatever thread that is; writes are
 * handed to the channel's event loop. HTTP/1.1 answers go out in request order even when a
 * pipelining client's later request finishes first; too many pipelined requests pause reading.
 * Buffering is bounded: the requests decoded from one socket read, at most (reading stops until
 * fewer than {@value #MAX_PIPELINED} wait). A client that shuts down its sending side (half-close)
 * is answered everything it sent, then the connection is closed. When the connection closes, the
 * requests it still waits for are cancelled, which drops them from the batcher's queue if they
 * have not run.
 *
 * <p>Not sharable: one instance per channel; its fields are touched only on that channel's
 * event loop.
 */
class GatewayHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(GatewayHandler.class);
  private static final int MAX_PIPELINED = 16;

  private final Routes routes;
  private final HttpGateway.InFlight inFlight;

  private long nextSeq;
  private long nextToWrite;
  private final Map<Long, FullHttpResponse> ready = new HashMap<>();
  private final Map<Long, CompletableFuture<HttpReply>> waiting = new HashMap<>();
  /**
   * The client shut down its side, or the codec failed: close once every request read is
   * answered.
   */
  private boolean inputShutdown;
  private ChannelFuture lastWrite;

  GatewayHandler(Routes routes, HttpGateway.InFlight inFlight) {
    this.routes = routes;
    this.inFlight = inFlight;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    long seq = nextSeq++;
    HttpVersion version = req.protocolVersion();
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    if (!req.decoderResult().isSuccess()) {
      complete(ctx, seq, version, false,
          HttpErrors.of(400, "malformed HTTP request: " + req.decoderResult().cause(), Map.of()));
      return;
    }
    if (!inFlight.begin()) {
      complete(ctx, seq, version, false,
          HttpErrors.of(503, "server is shutting down", Map.of("Retry-After", "1")));
      return;
    }
    CompletableFuture<HttpReply> reply;
    try {
      reply = dispatch(req);
    } catch (Throwable t) {
      reply = CompletableFuture.failedFuture(t);
    }
    if (reply.isDone()) {
      complete(ctx, seq, version, keepAlive, outcome(reply));
      inFlight.end();
      return;
    }
    waiting.put(seq, reply);
    if (nextSeq - nextToWrite >= MAX_PIPELINED) {
      ctx.channel().config().setAutoRead(false);
    }
    CompletableFuture<HttpReply> f = reply;
    Runnable finish = () -> {
      inFlight.end();
      if (waiting.remove(seq) != null) {
        complete(ctx, seq, version, keepAlive, outcome(f));
      }
    };
    f.whenComplete((r, e) -> {
      if (ctx.executor().inEventLoop()) {
        finish.run(); // the reply was rendered on this loop already (Endpoint.then)
        return;
      }
      try {
        ctx.executor().execute(finish);
      } catch (RejectedExecutionException closing) {
        finish.run(); // the loop is shutting down: still end the in-flight count
      }
    });
  }

  private CompletableFuture<HttpReply> dispatch(FullHttpRequest req) throws Exception {
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    String path = uri.path();
    if (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String method = req.method().name();
    Routes.Match match = routes.match(method, path);
    String contentType = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (method.equals("POST")) {
      checkJson(contentType, match.binary());
    }
    var content = req.content();
    HttpCall call = new HttpCall(method, path, match.params(), contentType,
        content.readableBytes(), () -> new ByteBufInputStream(content.duplicate()),
        uri.parameters(), req.headers()::get, req.headers()::getAll);
    return match.endpoint().handle(call);
  }

  /**
   * POST bodies must be JSON (or, where the route takes it, application/octet-stream); a
   * missing Content-Type is taken as JSON.
   */
  private static void checkJson(String contentType, boolean binaryAllowed) {
    if (contentType == null) {
      return;
    }
    String mime = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (binaryAllowed && mime.equals(HttpReply.OCTET_STREAM)) {
      return;
    }
    if (!mime.equals("application/json") && !mime.endsWith("+json")) {
      throw new HttpStatusException(415, "unsupported Content-Type '" + contentType
          + "'; send application/json" + (binaryAllowed ? " or " + HttpReply.OCTET_STREAM : ""));
    }
  }

  private static HttpReply outcome(CompletableFuture<HttpReply> f) {
    try {
      return f.join();
    } catch (Throwable t) {
      return HttpErrors.toReply(t);
    }
  }

  private void complete(
      ChannelHandlerContext ctx, long seq, HttpVersion version, boolean keepAlive, HttpReply r) {
    ready.put(seq, toResponse(version, keepAlive, r));
    FullHttpResponse next;
    while ((next = ready.remove(nextToWrite)) != null) {
      nextToWrite++;
      lastWrite = ctx.writeAndFlush(next);
    }
    if (!inputShutdown && !ctx.channel().config().isAutoRead()
        && nextSeq - nextToWrite < MAX_PIPELINED) {
      ctx.channel().config().setAutoRead(true);
    }
    closeIfDrained(ctx);
  }

  private void closeIfDrained(ChannelHandlerContext ctx) {
    if (!inputShutdown || nextToWrite != nextSeq) {
      return;
    }
    if (lastWrite == null || lastWrite.isDone()) {
      ctx.close();
    } else {
      lastWrite.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof ChannelInputShutdownEvent) {
      // Everything the client sent is decoded by now (the codec decodes what is left first).
      inputShutdown = true;
      closeIfDrained(ctx);
    }
    super.userEventTriggered(ctx, evt);
  }

  static FullHttpResponse toResponse(HttpVersion version, boolean keepAlive, HttpReply r) {
    FullHttpResponse resp = new DefaultFullHttpResponse(
        version, HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.body()));
    var h = resp.headers();
    if (r.contentType() != null) {
      h.set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
    }
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
    r.headers().forEach(h::set);
    if (!keepAlive) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (version.equals(HttpVersion.HTTP_1_0)) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    return resp;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    // The client is gone: drop what it still waits for (the batcher skips cancelled requests).
    for (CompletableFuture<HttpReply> f : List.copyOf(waiting.values())) {
      f.cancel(false); // may complete, and so remove, others: iterate over a copy
    }
    ready.clear();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException && !(cause instanceof PrematureChannelClosureException)
        && ctx.channel().isActive()) {
      // The codec cannot go on (e.g. its pipeline depth): answer what was read, then close.
      log.warn("connection from {}: closing after answering the {} request(s) read: {}",
          ctx.channel().remoteAddress(), nextSeq - nextToWrite,
          cause.getCause() != null ? cause.getCause().getMessage() : cause.getMessage());
      ctx.channel().config().setAutoRead(false);
      inputShutdown = true;
      closeIfDrained(ctx);
      return;
    }
    if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
      log.debug("connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    } else {
      log.warn("closing connection from {} after an unexpected error",
          ctx.channel().remoteAddress(), cause);
    }
    ctx.close();
  }
}
