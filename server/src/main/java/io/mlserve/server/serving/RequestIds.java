package io.mlserve.server.serving;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Ids for requests that came without one: a random prefix per server process and a counter,
 * so ids are unique across restarts and servers (with overwhelming probability) and cost one
 * atomic increment each. This class is thread-safe.
 */
public final class RequestIds implements Supplier<String> {
  private final String prefix;
  private final AtomicLong next = new AtomicLong();

  public RequestIds() {
    long r = new SecureRandom().nextLong() & 0xFFFF_FFFF_FFFFL;
    this.prefix = "r" + Long.toString(r, 36) + "-";
  }

  @Override
  public String get() {
    return prefix + Long.toString(next.incrementAndGet(), 36);
  }
}
