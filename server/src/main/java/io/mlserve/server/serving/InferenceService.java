package io.mlserve.server.serving;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.model.ArmTable;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.tensor.Tensor;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one serving entry point: every transport (gRPC, the seed's JSON API, OIP REST, bulk jobs)
 * hands it a {@link ModelRef}, inputs and a {@link RequestContext}, and gets back a future of
 * the {@link Answer}. It owns, so that no transport does it its own way:
 *
 * <ul>
 *   <li>resolution: an explicit version, a stage, else the model's traffic split (sticky by
 *       routing key, weighted random without one), else its Production version;
 *   <li>on-demand loading of an explicitly named version that is not loaded (Deprecated ones);
 *   <li>the reload retry: a request that reached a version in the instant it was swapped out is
 *       queued again on the version that replaced it, so a swap never fails a request;
 *   <li>the request id (the client's, else one assigned here) and the {@link AnswerListener}
 *       that records each answer.
 * </ul>
 *
 * <p>Failures arrive through the future only (this class never throws) and are
 * {@link InferenceException}s, a {@link CancellationException} when the caller cancelled, or
 * whatever the caller's own decoder threw. Cancelling the returned future drops the request
 * from its batcher if it has not run.
 *
 * <p>This class is thread-safe and never blocks: it may run on transport threads.
 */
public final class InferenceService {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(InferenceService.class);
  /** Times a request follows a version swap before giving up. */
  private static final int MAX_SWAP_RETRIES = 3;

  private final ModelRouter router;
  private final Ticker ticker;
  private final AnswerListener listener;
  private final Supplier<String> requestIds;

  /**
   * @param requestIds ids for requests that came without one
   * @param listener told about every request a version took
   */
  public InferenceService(
      ModelRouter router, Ticker ticker, Supplier<String> requestIds, AnswerListener listener) {
    this.router = Objects.requireNonNull(router, "router");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.requestIds = Objects.requireNonNull(requestIds, "requestIds");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** A service that assigns ids of its own and records nothing (tests). */
  public InferenceService(ModelRouter router, Ticker ticker) {
    this(router, ticker, new RequestIds(), AnswerListener.NONE);
  }

  /** The router this service resolves against. */
  public ModelRouter router() {
    return router;
  }

  /** The ticker deadlines are measured on. */
  public Ticker ticker() {
    return ticker;
  }

  /** Runs inputs that do not depend on which version answers (they carry their own shapes). */
  public CompletableFuture<Answer> infer(ModelRef ref, List<Tensor> inputs, RequestContext ctx) {
    Objects.requireNonNull(inputs, "inputs");
    return infer(ref, model -> inputs, ctx);
  }

  /**
   * Runs a request whose inputs are decoded against the signature of the version that will
   * answer it (the seed's JSON API decodes by the signature's names and shapes).
   *
   * @param decode builds the inputs for the chosen version; runs on the calling thread when
   *     the version is loaded, on the loading thread otherwise; may throw to refuse the request
   */
  public CompletableFuture<Answer> infer(
      ModelRef ref, Function<ServedModel, List<Tensor>> decode, RequestContext ctx) {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(decode, "decode");
    long start = ticker.nanoTime();
    RequestContext c = ctx.requestId() == null ? ctx.withAssignedId(requestIds.get()) : ctx;
    AnswerFuture out = new AnswerFuture();
    Pick pick;
    try {
      pick = pick(ref, c);
    } catch (InferenceException notLoaded) {
      CompletableFuture<ServedModel> loading;
      try {
        loading = loadOnDemand(ref, notLoaded);
      } catch (RuntimeException e) {
        out.completeExceptionally(e);
        return out;
      }
      loading.whenComplete((model, error) -> {
        if (error != null) {
          out.completeExceptionally(unwrap(error));
        } else {
          submit(new Pick(model, false), ref, decode, c, start, out);
        }
      });
      return out;
    }
    submit(pick, ref, decode, c, start, out);
    return out;
  }

  /**
   * The version that would answer {@code ref} now, loading an explicitly named one on demand;
   * for calls that need a version but run no inference through here (metadata, bulk jobs'
   * sizing). Completes exceptionally with NOT_FOUND as {@link #infer} would.
   */
  public CompletableFuture<ServedModel> target(ModelRef ref, RequestContext ctx) {
    try {
      return CompletableFuture.completedFuture(pick(ref, ctx).model);
    } catch (InferenceException notLoaded) {
      try {
        return loadOnDemand(ref, notLoaded);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
  }

  /**
   * The loaded version that answers {@code ref} without a routing key (the heaviest arm of a
   * split, else Production): metadata and readiness ask this; nothing is loaded.
   *
   * @throws InferenceException NOT_FOUND naming the model, version or stage
   */
  public ServedModel loaded(ModelRef ref) {
    String name = ref.model();
    if (ref.followsDeployment()) {
      ArmTable arms = router.arms(name);
      if (arms != null && router.defaultVersion(name) == null) {
        return arms.heaviest();
      }
    }
    return pick(ref, null).model;
  }

  /** The chosen version and whether the split chose it. */
  private record Pick(ServedModel model, boolean splitRouted) {}

  private Pick pick(ModelRef ref, RequestContext ctx) {
    String name = ref.model();
    if (!router.serves(name)) {
      throw unrouted("model '" + name + "' is not served (served: "
          + String.join(", ", router.modelNames()) + ")");
    }
    if (ref.version() != null) {
      ServedModel m = router.loaded(name, ref.version());
      if (m == null) {
        throw unrouted("version '" + ref.version() + "' of model '" + name
            + "' is not loaded (loaded: " + String.join(", ", router.versions(name)) + ")");
      }
      return new Pick(m, false);
    }
    if (ref.stage() == ModelRef.Stage.STAGING) {
      ServedModel m = router.staging(name);
      if (m == null) {
        throw unrouted("model '" + name + "' has no Staging version loaded");
      }
      return new Pick(m, false);
    }
    if (ref.stage() == null && ctx != null) {
      ArmTable arms = router.arms(name);
      if (arms != null) {
        return new Pick(arms.pick(ctx.routingKey()), true);
      }
    }
    ServedModel m = router.defaultVersion(name);
    if (m == null) {
      throw unrouted("model '" + name + "' has no Production version loaded");
    }
    return new Pick(m, false);
  }

  private InferenceException unrouted(String message) {
    router.recordUnrouted();
    return InferenceException.notFound(message);
  }

  /** Loads an explicitly named version that is not loaded, or rethrows {@code notFound}. */
  private CompletableFuture<ServedModel> loadOnDemand(ModelRef ref, InferenceException notFound) {
    if (ref.version() == null) {
      throw notFound;
    }
    return router.loadOnDemand(ref.model(), ref.version(), notFound);
  }

  private void submit(
      Pick pick, ModelRef ref, Function<ServedModel, List<Tensor>> decode, RequestContext ctx,
      long start, AnswerFuture out) {
    ServedModel target = pick.model;
    boolean split = pick.splitRouted;
    for (int attempt = 0; ; attempt++) {
      CompletableFuture<Tensor[]> result;
      List<Tensor> inputs;
      try {
        inputs = decode.apply(target);
        result = target.infer(inputs, ctx.deadlineNanos(), ctx.transport());
      } catch (InferenceException e) {
        ServedModel next = e.kind() == InferenceException.Kind.UNAVAILABLE && target.closed()
            && attempt < MAX_SWAP_RETRIES ? successor(ref, ctx, target) : null;
        if (next != null) {
          target = next;
          continue;
        }
        if (e.kind() == InferenceException.Kind.UNAVAILABLE && target.closed()) {
          target.metrics().recordOutcome(InferenceException.Kind.UNAVAILABLE);
        }
        out.completeExceptionally(e);
        return;
      } catch (RuntimeException e) {
        out.completeExceptionally(e);
        return;
      }
      ServedModel served = target;
      out.setInner(result);
      List<Tensor> taken = inputs;
      result.whenComplete((outputs, error) -> {
        Throwable cause = error == null ? null : unwrap(error);
        long latency = ticker.nanoTime() - start;
        // Listeners first (they must be cheap and never block): a prediction is recorded
        // before its answer can reach the client, so feedback sent at once always finds it.
        try {
          listener.onAnswer(served, ctx, split, taken, outputs, cause, latency);
        } catch (RuntimeException e) {
          log.error("an answer listener failed", e);
        }
        if (cause != null) {
          out.completeExceptionally(cause);
        } else {
          out.complete(new Answer(served, outputs, ctx.requestId()));
        }
      });
      return;
    }
  }

  /** The version that replaced {@code gone} for this request, or null when there is none. */
  private ServedModel successor(ModelRef ref, RequestContext ctx, ServedModel gone) {
    try {
      ServedModel next = pick(ref, ctx).model;
      return next == gone ? null : next;
    } catch (InferenceException e) {
      return null;
    }
  }

  private static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /** The answer's future: cancelling it cancels the queued request too. */
  private static final class AnswerFuture extends CompletableFuture<Answer> {
    private volatile Future<?> inner;

    void setInner(Future<?> f) {
      inner = f;
      if (isCancelled()) {
        f.cancel(false);
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      Future<?> f = inner;
      if (f != null) {
        f.cancel(false);
      }
      return cancelled;
    }
  }
}
