package io.mlserve.server.shadow;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Decides which requests are mirrored: deterministic per request id, so a given id is mirrored
 * or not whatever the server, the run or the thread (a client's retry under the same id gets
 * the same decision, and tests need no seed). The id is hashed (FNV-1a 64 over its chars, then
 * the SplitMix64 finaliser so that ids differing in one char spread over the whole range) to a
 * number in [0, 1); the request is mirrored when that number is below the rate. A request
 * without an id (the serving entry point always assigns one) is drawn at random.
 *
 * <p>Stateless; thread-safe; allocates nothing.
 */
final class Sampler {
  private Sampler() {}

  /** Whether the request {@code requestId} is mirrored at {@code rate} (in (0, 1]). */
  static boolean sampled(String requestId, double rate) {
    if (rate >= 1) {
      return true;
    }
    double u = requestId == null ? ThreadLocalRandom.current().nextDouble() : unit(requestId);
    return u < rate;
  }

  /** The id's hash as a number in [0, 1). */
  static double unit(String id) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < id.length(); i++) {
      h ^= id.charAt(i);
      h *= 0x100000001b3L;
    }
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    h ^= h >>> 31;
    return (h >>> 11) * 0x1.0p-53;
  }
}
