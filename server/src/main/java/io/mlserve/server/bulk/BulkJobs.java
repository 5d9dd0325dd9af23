package io.mlserve.server.bulk;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.InferenceException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;

/**
 * The table of bulk jobs, bounded in count and in reserved memory. Jobs live in this process
 * only (a restart forgets them); a finished job is kept for a time-to-live measured on the
 * injected {@link Ticker}, then dropped on the next access to the table.
 *
 * <p>This class is thread-safe.
 */
public final class BulkJobs {
  private final int maxJobs;
  private final long maxBytes;
  private final long ttlNanos;
  private final Ticker ticker;

  // @GuardedBy("this")
  private final Map<String, BulkJob> jobs = new LinkedHashMap<>();
  // @GuardedBy("this")
  private long reservedBytes;

  public BulkJobs(int maxJobs, long maxBytes, long ttlNanos, Ticker ticker) {
    this.maxJobs = maxJobs;
    this.maxBytes = maxBytes;
    this.ttlNanos = ttlNanos;
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  /**
   * Reserves room for a job and registers it; the caller starts it afterwards.
   *
   * @param factory makes the job from its id
   * @throws InferenceException RESOURCE_EXHAUSTED (HTTP 503 with Retry-After) when the table is
   *     full in count or bytes
   * @throws BulkJobTooLargeException when the job alone exceeds the memory bound (HTTP 413)
   */
  public synchronized BulkJob add(long bytes, Function<String, BulkJob> factory) {
    expire();
    if (bytes > maxBytes) {
      throw new BulkJobTooLargeException("a bulk job of about " + mib(bytes)
          + " exceeds the bulk-job memory limit of " + mib(maxBytes));
    }
    if (jobs.size() >= maxJobs || reservedBytes + bytes > maxBytes) {
      throw new InferenceException(InferenceException.Kind.RESOURCE_EXHAUSTED,
          "bulk job table is full (" + jobs.size() + " of " + maxJobs + " jobs, "
              + mib(reservedBytes) + " of " + mib(maxBytes)
              + " reserved); retry later or DELETE finished jobs");
    }
    String id = UUID.randomUUID().toString();
    BulkJob job = factory.apply(id);
    jobs.put(id, job);
    reservedBytes += bytes;
    return job;
  }

  /** @throws InferenceException NOT_FOUND (HTTP 404) when unknown or expired */
  public synchronized BulkJob get(String id) {
    expire();
    BulkJob job = jobs.get(id);
    if (job == null) {
      throw InferenceException.notFound(
          "no bulk job '" + id + "' (unknown, deleted or expired)");
    }
    return job;
  }

  /**
   * Cancels the job if running and forgets it, freeing its memory.
   *
   * @throws InferenceException NOT_FOUND (HTTP 404) when unknown or expired
   */
  public BulkJob delete(String id) {
    BulkJob job;
    synchronized (this) {
      job = get(id);
      jobs.remove(id);
      reservedBytes -= job.reservedBytes();
    }
    job.cancel(ticker.nanoTime());
    return job;
  }

  /** Cancels every running job (shutdown). */
  public void cancelAll() {
    List<BulkJob> all;
    synchronized (this) {
      all = new ArrayList<>(jobs.values());
    }
    long now = ticker.nanoTime();
    all.forEach(j -> j.cancel(now));
  }

  synchronized int size() {
    expire();
    return jobs.size();
  }

  long now() {
    return ticker.nanoTime();
  }

  // @GuardedBy("this")
  private void expire() {
    long now = ticker.nanoTime();
    for (Iterator<BulkJob> it = jobs.values().iterator(); it.hasNext(); ) {
      BulkJob j = it.next();
      if (j.state() != BulkJob.State.RUNNING && now - j.finishedNanos() >= ttlNanos) {
        it.remove();
        reservedBytes -= j.reservedBytes();
      }
    }
  }

  private static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
