package io.mlserve.server.http;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Answers the requests of one route. Implementations decode on the calling (event-loop) thread,
 * must not block it, and complete the future from wherever the work ends (usually a batcher
 * worker). Implementations are thread-safe.
 */
@FunctionalInterface
interface Endpoint {
  /**
   * @throws Exception a failure to answer with {@link HttpErrors#toReply}
   */
  CompletableFuture<HttpReply> handle(HttpCall call) throws Exception;

  /**
   * {@code upstream.thenApply(fn)}, except that cancelling the result (the client went away)
   * also runs {@code onCancel}, e.g. cancels the queued inference.
   */
  static <T> CompletableFuture<HttpReply> then(
      CompletableFuture<T> upstream, Function<T, HttpReply> fn, Runnable onCancel) {
    CompletableFuture<HttpReply> out = upstream.thenApply(fn);
    out.whenComplete((r, e) -> {
      if (e instanceof CancellationException) {
        onCancel.run();
      }
    });
    return out;
  }
}
