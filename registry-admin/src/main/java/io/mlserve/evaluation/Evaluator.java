package io.mlserve.evaluation;

import io.mlserve.dataset.DatasetBatch;
import io.mlserve.dataset.DatasetSource;
import io.mlserve.errors.ClientText;
import io.mlserve.evaluation.EvaluationException.Reason;
import io.mlserve.store.IoErrors;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Runs a candidate version, and optionally a baseline, over one dataset: reads the dataset once
 * in batches of {@link EvaluationRequest#batchSize} rows, has each batch predicted by the
 * candidate and then by the baseline through the {@link Predictor}, and streams labels and
 * outputs into the metric accumulators of each, the latency recorders of each, and a bounded
 * reservoir sample of scored values. Memory is one batch plus constant-size state, whatever
 * the dataset's size.
 *
 * <p>The run stops with an {@link EvaluationException} when a version or the dataset fails
 * ({@link Reason#FAILED}), when {@code cancelled} answers true or the thread is interrupted
 * ({@link Reason#CANCELLED}), or when the time limit has passed ({@link Reason#TIMED_OUT});
 * stops are checked before every predictor call, so a run ends at most one call after its
 * bound. The evaluator writes nothing: a run that stops leaves no trace, and a completed one is
 * stored by the caller ({@link EvaluationStore}). The caller opens and closes the source.
 *
 * <p>Times: {@code clock} stamps the start and end, {@code nanoTime} times predictor calls and
 * the time limit (tests pass fakes of both). Thread-safe: each run keeps its state on its own
 * stack, so one evaluator may run several evaluations at once (the predictor must then be
 * thread-safe).
 */
public final class Evaluator {
  /** Sampled values kept for the report's plots. */
  public static final int DEFAULT_SAMPLE_SIZE = 2_000;

  private final Predictor predictor;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final EvaluationIds ids;
  private final int maxClasses;
  private final int sampleSize;

  /** An evaluator with the default class bound and sample size. */
  public Evaluator(Predictor predictor, Clock clock, LongSupplier nanoTime, EvaluationIds ids) {
    this(predictor, clock, nanoTime, ids, MetricAccumulator.DEFAULT_MAX_CLASSES,
        DEFAULT_SAMPLE_SIZE);
  }

  /** An evaluator with an explicit class bound and sample size. */
  public Evaluator(Predictor predictor, Clock clock, LongSupplier nanoTime, EvaluationIds ids,
      int maxClasses, int sampleSize) {
    this.predictor = Objects.requireNonNull(predictor, "predictor");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.ids = Objects.requireNonNull(ids, "ids");
    if (sampleSize < 1) {
      throw new IllegalArgumentException("the sample size must be at least 1");
    }
    this.maxClasses = maxClasses;
    this.sampleSize = sampleSize;
  }

  /**
   * Evaluates {@code request} over {@code source}.
   *
   * @param progress told after each batch
   * @param cancelled polled before each predictor call; true stops the run
   * @return the evaluation, without a verdict
   * @throws EvaluationException when the run fails, is cancelled, or runs out of time
   */
  public Evaluation run(EvaluationRequest request, DatasetSource source,
      ProgressListener progress, BooleanSupplier cancelled) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(progress, "progress");
    Objects.requireNonNull(cancelled, "cancelled");
    Instant started = clock.instant();
    String id = ids.next(started);
    Run run = new Run(request, source.totalRows(), cancelled, nanoTime.getAsLong());
    Reservoir reservoir = new Reservoir(sampleSize, id.hashCode());
    SamplePoint[] sample = new SamplePoint[sampleSize];
    while (true) {
      run.checkStop();
      DatasetBatch batch = read(source, request);
      if (batch == null) {
        break;
      }
      Predictor.Prediction c = run.predict(run.candidate, batch);
      Predictor.Prediction b = null;
      if (run.baseline != null) {
        run.checkStop();
        b = run.predict(run.baseline, batch);
      }
      run.score(batch, c, b);
      run.sample(reservoir, sample, batch, c, b);
      run.rowsDone += batch.rows();
      progress.progress(run.rowsDone, run.totalRows);
    }
    if (run.rowsDone == 0) {
      throw new EvaluationException(Reason.FAILED, "dataset '" + request.dataset().name()
          + "' has no rows");
    }
    VersionResult candidate = run.candidate.result();
    VersionResult baseline = run.baseline == null ? null : run.baseline.result();
    List<SamplePoint> points = Arrays.stream(sample, 0, reservoir.size())
        .sorted(Comparator.comparingLong(SamplePoint::row).thenComparingInt(SamplePoint::output))
        .toList();
    return new Evaluation(id, request.model(), request.version(), request.baselineVersion(),
        request.dataset(), started, clock.instant(), request.actor(), run.kind, candidate,
        baseline, baseline == null ? List.of()
        : Delta.between(candidate.metrics(), baseline.metrics()), points, null);
  }

  private static DatasetBatch read(DatasetSource source, EvaluationRequest request) {
    try {
      return source.next(request.batchSize());
    } catch (IOException e) {
      throw new EvaluationException(Reason.FAILED, "cannot read dataset '"
          + request.dataset().name() + "': " + IoErrors.reason(e), e);
    } catch (IllegalArgumentException e) {
      throw new EvaluationException(Reason.FAILED, "dataset '" + request.dataset().name()
          + "': " + ClientText.scrub(e.getMessage(), "a row is malformed"), e);
    }
  }

  /** One version's scoring state in a run. */
  private static final class Side {
    final String version;
    final LatencyRecorder latency = new LatencyRecorder();
    MetricAccumulator metrics;
    CustomMetrics custom;
    int width;

    Side(String version) {
      this.version = version;
    }

    VersionResult result() {
      MetricSet m = metrics.result();
      if (custom != null) {
        m = m.withValues(custom.result(), custom.notes());
      }
      return new VersionResult(version, m, latency.result());
    }
  }

  /** The state of one run. */
  private final class Run {
    final EvaluationRequest request;
    final long totalRows;
    final BooleanSupplier cancelled;
    final long startNanos;
    final Side candidate;
    final Side baseline;
    TaskKind kind;
    int labelWidth;
    long rowsDone;

    Run(EvaluationRequest request, long totalRows, BooleanSupplier cancelled, long startNanos) {
      this.request = request;
      this.totalRows = totalRows;
      this.cancelled = cancelled;
      this.startNanos = startNanos;
      this.candidate = new Side(request.version());
      this.baseline = request.baselineVersion() == null ? null
          : new Side(request.baselineVersion());
    }

    String what() {
      return "evaluation of " + request.model() + ":" + request.version();
    }

    void checkStop() {
      if (cancelled.getAsBoolean() || Thread.currentThread().isInterrupted()) {
        throw new EvaluationException(Reason.CANCELLED, what() + " was cancelled after "
            + rowsDone + " of " + totalRows + " rows");
      }
      if (nanoTime.getAsLong() - startNanos >= request.timeLimit().toNanos()) {
        throw new EvaluationException(Reason.TIMED_OUT, what() + " stopped at its time limit"
            + " of " + request.timeLimit().toSeconds() + " s, after " + rowsDone + " of "
            + totalRows + " rows");
      }
    }

    Predictor.Prediction predict(Side side, DatasetBatch batch) {
      long from = batch.firstRow();
      long to = from + batch.rows() - 1;
      Predictor.Prediction p;
      long t0 = nanoTime.getAsLong();
      try {
        p = predictor.predict(side.version, batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EvaluationException(Reason.CANCELLED, what() + " was cancelled after "
            + rowsDone + " of " + totalRows + " rows", e);
      } catch (Exception e) {
        throw new EvaluationException(Reason.FAILED, "version " + side.version
            + " failed on rows " + from + "-" + to + ": "
            + ClientText.scrub(e.getMessage(), "no reason given"), e);
      }
      side.latency.record(batch.rows(), nanoTime.getAsLong() - t0);
      if (p == null || p.values().length != (long) batch.rows() * p.width()) {
        throw new EvaluationException(Reason.FAILED, "version " + side.version + " answered "
            + (p == null ? "nothing" : p.values().length / p.width() + " rows") + " for the "
            + batch.rows() + " rows " + from + "-" + to);
      }
      if (side.metrics != null && p.width() != side.width) {
        throw new EvaluationException(Reason.FAILED, "version " + side.version + " answered "
            + p.width() + " values per row on rows " + from + "-" + to + ", " + side.width
            + " before");
      }
      return p;
    }

    void score(DatasetBatch batch, Predictor.Prediction c, Predictor.Prediction b) {
      if (candidate.metrics == null) {
        start(batch, c, b);
      } else if (batch.labelWidth() != labelWidth) {
        throw new EvaluationException(Reason.FAILED, "dataset '" + request.dataset().name()
            + "' has " + batch.labelWidth() + " label values per row from row "
            + batch.firstRow() + ", " + labelWidth + " before");
      }
      add(candidate, batch, c);
      if (b != null) {
        add(baseline, batch, b);
      }
    }

    private void start(DatasetBatch batch, Predictor.Prediction c, Predictor.Prediction b) {
      labelWidth = batch.labelWidth();
      kind = request.kind() != null ? request.kind()
          : TaskKind.choose(batch.labels(), labelWidth, c.width());
      init(candidate, c.width());
      if (b != null) {
        init(baseline, b.width());
      }
    }

    private void init(Side side, int width) {
      try {
        side.metrics = MetricAccumulator.create(kind, labelWidth, width, maxClasses);
        side.custom = request.customMetrics().isEmpty() ? null
            : new CustomMetrics(request.customMetrics(), kind, width);
      } catch (IllegalArgumentException e) {
        throw new EvaluationException(Reason.FAILED, "version " + side.version + ": "
            + e.getMessage(), e);
      }
      side.width = width;
    }

    private void add(Side side, DatasetBatch batch, Predictor.Prediction p) {
      try {
        side.metrics.add(batch.firstRow(), batch.rows(), batch.labels(), p.values());
        if (side.custom != null) {
          side.custom.add(batch.firstRow(), batch.rows(), batch.labels(), p.values());
        }
      } catch (IllegalArgumentException e) {
        throw new EvaluationException(Reason.FAILED, "version " + side.version + ": "
            + e.getMessage(), e);
      }
    }

    void sample(Reservoir reservoir, SamplePoint[] sample, DatasetBatch batch,
        Predictor.Prediction c, Predictor.Prediction b) {
      boolean regression = kind == TaskKind.REGRESSION;
      int perRow = regression ? labelWidth : 1;
      double[] labels = batch.labels();
      reservoir.offer(batch.rows() * perRow, (offset, slot) -> {
        int r = offset / perRow;
        int j = offset % perRow;
        sample[slot] = new SamplePoint(batch.firstRow() + r, j, labels[offset],
            regression ? c.values()[offset] : ClassificationAccumulator.predictedClass(
                c.values(), r * c.width(), c.width()),
            b == null ? null : regression ? b.values()[offset]
            : ClassificationAccumulator.predictedClass(b.values(), r * b.width(), b.width()));
      });
    }
  }
}
