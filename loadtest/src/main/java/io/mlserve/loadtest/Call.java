package io.mlserve.loadtest;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One reusable request slot: the state of a request from its send to its completion. Drivers keep
 * a fixed set of these (open loop: a pool as large as the in-flight limit; closed loop: one per
 * lane) so that sending allocates nothing of ours.
 *
 * <p>Thread-safety: the sending thread writes the plain fields before handing the call to the
 * transport, and the completing thread reads them after; the transport's hand-off orders the two.
 * {@link #state} is the only field two threads may race on (a completion against the drain's
 * giving up), and it changes only by compare-and-set.
 */
final class Call {
  static final int FREE = 0;
  static final int IN_FLIGHT = 1;
  static final int ABANDONED = 2;

  private static final AtomicIntegerFieldUpdater<Call> STATE =
      AtomicIntegerFieldUpdater.newUpdater(Call.class, "state");

  /** Index among the driver's calls; transports spread calls over connections by it. */
  final int id;
  /** When the schedule meant this request to go out; latency is measured from here. */
  long intendedNanos;
  /** When it actually went out; service time is measured from here. */
  long sentNanos;
  /** Index into the target's request pool. */
  int request;
  /** Owned by the target: per-call transport state it creates once and reuses. */
  Object transportState;

  private volatile int state = FREE;

  Call(int id) {
    this.id = id;
  }

  void markInFlight() {
    state = IN_FLIGHT;
  }

  /** True for exactly one of a completion and an abandonment of the same send. */
  boolean finish(int to) {
    return STATE.compareAndSet(this, IN_FLIGHT, to);
  }

  boolean inFlight() {
    return state == IN_FLIGHT;
  }
}
