package io.mlserve.loadtest;

import java.util.List;

/**
 * A transport to load: gRPC ModelInfer or the REST API. It owns a pool of pre-serialized requests
 * (built once, before the run) and sends the one a {@link Call} names. Drivers know nothing of the
 * transport; targets know nothing of schedules or statistics.
 *
 * <p>Implementations are thread-safe: {@link #send} is called from the driver's thread and from
 * completion threads at once.
 */
interface Target extends AutoCloseable {
  /** Receives the end of each request. Implementations are thread-safe and must not block. */
  interface Sink {
    /**
     * Called exactly once per {@link #send}, on any thread.
     *
     * @param outcome an {@link Outcome}
     * @param version the model version that answered, or null when unknown or failed
     */
    void completed(Call call, int outcome, String version);
  }

  /** Starts the request {@code call.request} without blocking; {@code sink} hears how it ends. */
  void send(Call call, Sink sink);

  /** Number of requests in the pool; {@code call.request} is below it. */
  int requests();

  /** Index (into {@link #models()}) of the model request {@code request} goes to. */
  int modelOf(int request);

  /** The models of the traffic mix, in the order given. */
  List<String> models();

  /**
   * Sends request {@code request} once more through a plain, slow client and returns what the
   * server answered when it failed: status and body (HTTP) or status and description (gRPC),
   * shortened to a line. For error messages only, never on the measured path.
   *
   * @return the server's answer, or null when the request succeeded, nothing came back, or the
   *     transport cannot say more than the outcome (the default)
   */
  default String explain(int request, java.time.Duration timeout) throws InterruptedException {
    return null;
  }

  /** One line for reports: transport, address and what a request carries. */
  String describe();

  @Override
  void close();
}
