package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * What one load-test run does: where it sends, how hard, for how long, and what each request
 * carries. Immutable and validated on construction; thread-safe.
 *
 * @param target gRPC target, {@code host:port} or any gRPC target URI
 * @param model model name sent in every request
 * @param concurrency requests kept in flight (closed loop: one per slot)
 * @param channels channels the slots are spread over, round-robin; at most {@code concurrency}
 * @param duration the measured window
 * @param warmup run before the measured window; its requests are not reported
 * @param features values in the single FP32 row, shape {@code [1, features]}
 * @param inputName the input tensor's name
 * @param raw send the row in {@code raw_input_contents} instead of typed contents
 * @param connectTimeout how long the first (probe) request may take before the target counts as
 *     unreachable
 */
record RunSpec(
    String target,
    String model,
    int concurrency,
    int channels,
    Duration duration,
    Duration warmup,
    int features,
    String inputName,
    boolean raw,
    Duration connectTimeout) {

  RunSpec {
    requireNonNull(target, "target");
    requireNonNull(model, "model");
    requireNonNull(duration, "duration");
    requireNonNull(warmup, "warmup");
    requireNonNull(inputName, "inputName");
    requireNonNull(connectTimeout, "connectTimeout");
    if (target.isBlank()) {
      throw new IllegalArgumentException("target must not be blank");
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
    }
    if (channels < 1 || channels > concurrency) {
      throw new IllegalArgumentException(
          "channels must be between 1 and concurrency (" + concurrency + "), got " + channels);
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive, got " + duration);
    }
    if (warmup.isNegative()) {
      throw new IllegalArgumentException("warmup must not be negative, got " + warmup);
    }
    if (features < 1) {
      throw new IllegalArgumentException("features must be >= 1, got " + features);
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connect timeout must be positive, got " + connectTimeout);
    }
  }
}
