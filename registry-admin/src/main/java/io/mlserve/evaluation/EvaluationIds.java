package io.mlserve.evaluation;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.random.RandomGenerator;

/**
 * Evaluation ids: the start time in UTC to the millisecond, then 8 random hex digits, e.g.
 * {@code 20261129T205218123Z-4f1a09c2}. Sorting ids as strings sorts them by start time; the
 * random part keeps two evaluations started in the same millisecond apart. Ids are safe file
 * names. Thread-safe if the random generator is.
 */
public final class EvaluationIds {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);
  private static final Pattern ID = Pattern.compile("\\d{8}T\\d{9}Z-[0-9a-f]{8}");

  private final RandomGenerator random;

  public EvaluationIds(RandomGenerator random) {
    this.random = Objects.requireNonNull(random, "random");
  }

  /** A fresh id for an evaluation started at {@code start}. */
  public String next(Instant start) {
    return TIME.format(start) + "-" + String.format(Locale.ROOT, "%08x", random.nextInt());
  }

  /** Whether {@code id} has the form of an evaluation id. */
  public static boolean isValid(String id) {
    return id != null && ID.matcher(id).matches();
  }
}
