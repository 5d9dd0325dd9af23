package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a run was set up, as reports state it. Immutable; thread-safe.
 *
 * @param target the target as given ({@code grpc://host:port}, {@code http://host:port})
 * @param load what each request is and where it goes ({@link Target#describe()})
 * @param models model names of the mix, comma-separated
 * @param openLoop true: constant {@code rate}; false: {@code concurrency} in flight
 * @param rate requested rate (open loop), requests per second; 0 in a closed loop
 * @param concurrency requests kept in flight (closed loop); 0 in an open loop
 * @param channels connections (gRPC)
 * @param features values per row of the first model
 * @param raw gRPC raw_input_contents
 * @param warmup warm-up, not reported
 * @param duration measured window
 */
record RunSetup(String target, String load, String models, boolean openLoop, double rate,
    int concurrency, int channels, int features, boolean raw, Duration warmup,
    Duration duration) {
  RunSetup {
    requireNonNull(target, "target");
    requireNonNull(load, "load");
    requireNonNull(models, "models");
    requireNonNull(warmup, "warmup");
    requireNonNull(duration, "duration");
  }

  /** {@code "open loop, 150 req/s"} or {@code "closed loop, 64 in flight"}. */
  String shape() {
    return openLoop
        ? String.format(java.util.Locale.ROOT, "open loop, %.0f req/s", rate)
        : "closed loop, " + concurrency + " in flight";
  }
}
