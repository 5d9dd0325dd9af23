package io.mlserve.server.netty;

import java.util.concurrent.Executor;

/**
 * Finds the Netty event loop that runs the calling thread, for both transports: the gRPC server
 * (grpc-netty-shaded's copy of Netty) and the HTTP gateway (plain Netty).
 *
 * <p>Two uses: a gRPC call's response is written from its own event loop instead of from a
 * batcher thread, and a request submitted from an event loop wakes a batcher worker only after
 * the loop has queued every request of the same socket read (see
 * {@link io.mlserve.server.batch.WakeDeferral}).
 *
 * <p>Uses Netty's {@code ThreadExecutorMap}, an internal but long-stable Netty class. Stateless;
 * thread-safe.
 */
public final class EventLoops {
  private EventLoops() {}

  /** The event loop running the current thread, or null when it is not a Netty event loop. */
  public static Executor current() {
    io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor grpc =
        io.grpc.netty.shaded.io.netty.util.internal.ThreadExecutorMap.currentExecutor();
    if (grpc != null && grpc.inEventLoop()) {
      return grpc;
    }
    io.netty.util.concurrent.EventExecutor http =
        io.netty.util.internal.ThreadExecutorMap.currentExecutor();
    if (http != null && http.inEventLoop()) {
      return http;
    }
    return null;
  }

  /** Whether {@code loop} (from {@link #current}) runs the current thread. */
  public static boolean inLoop(Executor loop) {
    if (loop instanceof io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor e) {
      return e.inEventLoop();
    }
    return loop instanceof io.netty.util.concurrent.EventExecutor e && e.inEventLoop();
  }
}
