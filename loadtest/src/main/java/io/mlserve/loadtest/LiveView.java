package io.mlserve.loadtest;

/**
 * What a running load driver shows the progress line. Implementations must be thread-safe: the
 * progress reporter reads them from its own thread while the run goes on.
 */
interface LiveView {
  /** Short name of the current phase, such as {@code "warmup"} or {@code "measure"}. */
  String phase();

  /** Requests completed (successfully or not) since the run started, all phases. */
  long completed();

  /** Requests sent and not yet completed. */
  int inFlight();

  /** Outcomes of the current phase. */
  PhaseStats stats();

  /** How far the generator's sends trail their schedule right now; 0 for a closed loop. */
  default long behindNanos() {
    return 0;
  }
}
