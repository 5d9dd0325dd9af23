package io.mlserve.server;

import io.mlserve.server.core.Failure;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.drift.DriftMonitor;
import io.mlserve.server.experiment.Experiments;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.serving.AnswerListener;
import io.mlserve.server.serving.RequestContext;
import io.mlserve.server.shadow.Shadows;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.usage.UsageCounts;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * What the server records of every answered request, on the thread that answered it: the
 * transport count, usage by client, a shadow's copy and the drift sample (successful answers,
 * not bulk-job chunks), and the A/B record that feedback joins. Each part is a map lookup and
 * a few counters: no lock shared with other requests, no blocking. Thread-safe.
 */
final class AnswerRecorder implements AnswerListener {
  private final ModelRouter router;
  private final UsageCounts usage;
  private final Shadows shadows;
  private final DriftMonitor drift;
  private final Experiments experiments;

  AnswerRecorder(ModelRouter router, UsageCounts usage, Shadows shadows, DriftMonitor drift,
      Experiments experiments) {
    this.router = router;
    this.usage = usage;
    this.shadows = shadows;
    this.drift = drift;
    this.experiments = experiments;
  }

  @Override
  public void onAnswer(ServedModel model, RequestContext ctx, boolean split, List<Tensor> inputs,
      Tensor[] outputs, Throwable error, long nanos) {
    router.recordTransport(ctx.transport());
    Throwable e = error == null ? null : Failure.unwrap(error);
    if (e instanceof CancellationException) {
      return; // the caller went away: neither an answer nor an error of the version
    }
    usage.record(model.name(), model.version(), ctx.routingKey(), e != null);
    if (e == null && !ctx.transport().equals(MlServer.BULK_TRANSPORT)) {
      // A sample is queued for the model's shadow, if it has one (one map lookup if not).
      shadows.offer(model.name(), model.version(), ctx.requestId(), inputs, outputs);
      // A few rows go to the version's drift window (one map lookup; no lock, no allocation).
      drift.offer(model.name(), model.version(), model.manifest().signature(), inputs, outputs);
    }
    experiments.record(model.name(), model.version(), keep(ctx, split) ? ctx.requestId() : null,
        outputs, split, nanos, e == null ? null : e instanceof InferenceException ie ? ie.kind()
            : InferenceException.Kind.INTERNAL);
  }

  /**
   * Whether an answer is kept for feedback: when a traffic split routed it (an A/B test), or
   * when the client named the request (it means to send feedback); not bulk-job chunks. Keeping
   * every answer would cost every request: a kept prediction outlives the young generation,
   * and copying 30,000 of them a second raised REST p99 from 6 ms to 37 ms (docs/benchmarks.md).
   */
  private static boolean keep(RequestContext ctx, boolean splitRouted) {
    return !ctx.transport().equals(MlServer.BULK_TRANSPORT)
        && (splitRouted || !ctx.idAssigned());
  }
}
