package io.mlserve.loadtest;

import io.grpc.Status;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import javax.annotation.concurrent.GuardedBy;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Outcomes of the requests of one phase of a run (warm-up or measured window): latency of the
 * successful ones in microseconds, and failures counted by gRPC status code.
 *
 * <p>This class is thread-safe. Any number of threads record; recording is wait-free and
 * allocates nothing (an HdrHistogram {@link Recorder} with a fixed range, and one {@link LongAdder}
 * per status code). Readers ({@link #latency()}) may run on any thread; they take turns on a lock
 * that recorders never touch.
 */
final class RunStats {
  /** Latencies above this (one hour) are recorded as one hour rather than lost. */
  static final long MAX_TRACKABLE_US = 3_600_000_000L;

  private static final Status.Code[] CODES = Status.Code.values();

  private final Recorder recorder = new Recorder(1, MAX_TRACKABLE_US, 3);
  private final LongAdder ok = new LongAdder();
  private final LongAdder[] errors = new LongAdder[CODES.length];
  private final Object lock = new Object();

  @GuardedBy("lock")
  private final Histogram total = new Histogram(1, MAX_TRACKABLE_US, 3);

  @GuardedBy("lock")
  private Histogram interval;

  RunStats() {
    for (int i = 0; i < errors.length; i++) {
      errors[i] = new LongAdder();
    }
  }

  /** Records one successful request that took {@code micros}. */
  void recordOk(long micros) {
    recorder.recordValue(Math.min(Math.max(micros, 0), MAX_TRACKABLE_US));
    ok.increment();
  }

  /** Records one failed request. */
  void recordError(Status.Code code) {
    errors[code.ordinal()].increment();
  }

  long ok() {
    return ok.sum();
  }

  /** Failed requests of every code. */
  long errors() {
    long sum = 0;
    for (LongAdder e : errors) {
      sum += e.sum();
    }
    return sum;
  }

  /** Failed requests by code, only the codes seen, in code order. A fresh map each call. */
  Map<Status.Code, Long> errorsByCode() {
    Map<Status.Code, Long> byCode = new EnumMap<>(Status.Code.class);
    for (int i = 0; i < errors.length; i++) {
      long n = errors[i].sum();
      if (n > 0) {
        byCode.put(CODES[i], n);
      }
    }
    return byCode;
  }

  /** Latency of every successful request recorded so far, in microseconds; a fresh copy. */
  Histogram latency() {
    synchronized (lock) {
      interval = recorder.getIntervalHistogram(interval);
      total.add(interval);
      return total.copy();
    }
  }
}
