package io.mlserve.server.http.route;

import io.mlserve.server.netty.EventLoops;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Answers the requests of one route. Implementations decode on the calling (event-loop) thread,
 * must not block it, and complete the future from wherever the work ends (usually a batcher
 * worker). Implementations are thread-safe.
 */
@FunctionalInterface
public interface Endpoint {
  /**
   * @throws Exception a failure to answer with the gateway's error table (HttpErrors)
   */
  CompletableFuture<HttpReply> handle(HttpCall call) throws Exception;

  /**
   * {@code upstream.thenApply(fn)}, except that {@code fn} (which renders the reply, e.g. 24,000
   * floats of a batch as JSON) runs on the calling event loop rather than on the batcher worker
   * that completes {@code upstream}, so a worker goes back to inference at once; and cancelling
   * the result (the client went away) also runs {@code onCancel}, e.g. cancels the queued
   * inference.
   */
  static <T> CompletableFuture<HttpReply> then(
      CompletableFuture<T> upstream, Function<T, HttpReply> fn, Runnable onCancel) {
    Executor loop = EventLoops.current();
    CompletableFuture<HttpReply> out = loop == null
        ? upstream.thenApply(fn)
        : upstream.thenApplyAsync(fn, task -> {
          try {
            loop.execute(task);
          } catch (RejectedExecutionException shuttingDown) {
            task.run();
          }
        });
    out.whenComplete((r, e) -> {
      if (e instanceof CancellationException) {
        onCancel.run();
      }
    });
    return out;
  }
}
