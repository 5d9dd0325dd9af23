package io.mlserve.server.serving;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request ids for requests that came without one: a random prefix drawn once per instance
 * (so ids of two server processes do not collide) and a counter, e.g.
 * {@code 3f9a1c07e2b4-1k2}. One atomic increment and one small string per id; no
 * {@code UUID.randomUUID()} (a secure-random draw) per request.
 *
 * <p>This class is thread-safe.
 */
public final class RequestIds implements java.util.function.Supplier<String> {
  private final String prefix;
  private final AtomicLong counter = new AtomicLong();

  /** Ids with a fresh random 48-bit prefix. */
  public RequestIds() {
    this(new SecureRandom().nextLong() & 0xFFFF_FFFF_FFFFL);
  }

  RequestIds(long prefix) {
    this.prefix = String.format(Locale.ROOT, "%012x-", prefix & 0xFFFF_FFFF_FFFFL);
  }

  @Override
  public String get() {
    return next();
  }

  /** A new id, unique within this instance. */
  public String next() {
    return prefix.concat(Long.toString(counter.incrementAndGet(), 36));
  }
}
