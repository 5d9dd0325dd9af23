package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A latency objective at a throughput, written {@code p95=120ms@150rps}: at 150 successful
 * requests per second, 95% of requests answer within 120 ms (measured from their intended send
 * time). {@link #check} turns a run into an exit code and a reason. Immutable; thread-safe.
 *
 * @param percentile 0-100 exclusive
 * @param limitUs latency limit, microseconds
 * @param rate throughput the objective holds at, requests per second
 */
record Slo(double percentile, long limitUs, double rate) {
  /** The seed's objective, the default of every command. */
  static final String SEED = "p95=120ms@150rps";

  static final int EXIT_MET = 0;
  static final int EXIT_MISSED = 1;
  static final int EXIT_UNREACHABLE = 3;
  static final int EXIT_GENERATOR_BEHIND = 4;
  /** The model or version asked for does not exist on the server (HTTP 404, NOT_FOUND). */
  static final int EXIT_NOT_FOUND = 5;
  /** The server refused the probe request for another reason (bad input, auth, ...). */
  static final int EXIT_REFUSED = 6;


  /** Largest share of failed requests a run may have and still pass. */
  static final double MAX_ERROR_RATIO = 0.01;

  /** Achieved throughput may fall this far short of the objective's rate (window edges). */
  static final double RATE_TOLERANCE = 0.97;

  private static final Pattern FORM =
      Pattern.compile("p(\\d+(?:\\.\\d+)?)\\s*=\\s*([0-9.]+\\s*(?:ms|s|us)?)\\s*@\\s*([0-9.]+)\\s*rps");

  /** Exit code and why: {@code reason} is null when everything was met. */
  record Verdict(int exitCode, String reason) {}

  Slo {
    if (!(percentile > 0 && percentile < 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100), got " + percentile);
    }
    if (limitUs < 1 || !(rate >= 0)) {
      throw new IllegalArgumentException("limit and rate must be positive");
    }
  }

  /** Parses {@code p95=120ms@150rps}; {@code none} gives null (errors-only checking). */
  static Slo parse(String text) {
    String s = requireNonNull(text, "text").trim().toLowerCase(Locale.ROOT);
    if (s.equals("none")) {
      return null;
    }
    Matcher m = FORM.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not an SLO (example: " + SEED + ", or none)");
    }
    String limit = m.group(2).replace(" ", "");
    long us = limit.endsWith("us") ? Long.parseLong(limit.substring(0, limit.length() - 2))
        : DurationConverter.parse(limit).toNanos() / 1_000;
    return new Slo(Double.parseDouble(m.group(1)), us, Double.parseDouble(m.group(3)));
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "p%s=%s@%.0frps", trim(percentile),
        TextReport.micros(limitUs).replace(" ", ""), rate);
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  /** Checks a run against errors alone (at most 1%) and, if given, an objective. */
  static Verdict check(RunResult r, Slo slo) {
    if (r.aborted()) {
      return new Verdict(r.abortExitCode(), r.abortReason());
    }
    if (r.generatorBehind()) {
      return new Verdict(EXIT_GENERATOR_BEHIND, r.generator().behindReason());
    }
    long requests = r.requests();
    if (requests == 0) {
      return new Verdict(EXIT_MISSED, "no request completed");
    }
    if (r.failed() > requests * MAX_ERROR_RATIO) {
      return new Verdict(EXIT_MISSED, String.format(Locale.ROOT,
          "%d of %d requests failed (%.2f%%, at most %.0f%% allowed): %s", r.failed(), requests,
          100.0 * r.failed() / requests, 100 * MAX_ERROR_RATIO, TextReport.errors(r.errors())));
    }
    if (slo == null) {
      return new Verdict(EXIT_MET, null);
    }
    if (r.setup().openLoop() && r.setup().rate() < slo.rate() * RATE_TOLERANCE) {
      return new Verdict(EXIT_MISSED, String.format(Locale.ROOT,
          "SLO %s not tested: the run offered %.0f req/s, below its %.0f req/s", slo,
          r.setup().rate(), slo.rate()));
    }
    if (r.throughputRps() < slo.rate() * RATE_TOLERANCE) {
      return new Verdict(EXIT_MISSED, String.format(Locale.ROOT,
          "SLO %s missed: throughput %.1f req/s, below %.0f req/s", slo, r.throughputRps(),
          slo.rate()));
    }
    long at = r.percentileUs(slo.percentile());
    if (at > slo.limitUs()) {
      return new Verdict(EXIT_MISSED, String.format(Locale.ROOT,
          "SLO %s missed: p%s was %s at %.1f req/s", slo, trim(slo.percentile()),
          TextReport.micros(at), r.throughputRps()));
    }
    return new Verdict(EXIT_MET, null);
  }
}
