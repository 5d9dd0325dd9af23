package io.mlserve.registry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The admin API's access rule, free of any transport, shared by the gRPC interceptor and the
 * REST gateway: when a token is configured, a mutating call must carry
 * exactly one {@code authorization: Bearer <token>} (compared in constant time); reads are open. The caller
 * recorded in history is the {@code x-mlserve-actor} header value when it is printable ASCII of
 * at most 64 characters, else {@code "anonymous"}: the shared token carries no subject of its
 * own. Immutable; thread-safe.
 */
public final class AdminAccess {
  /** The header (gRPC metadata key) that carries the token. */
  public static final String AUTHORIZATION_HEADER = "authorization";
  /** The header (gRPC metadata key) that names the caller. */
  public static final String ACTOR_HEADER = "x-mlserve-actor";
  /** The caller recorded when no usable actor header was sent. */
  public static final String ANONYMOUS = "anonymous";

  private final byte[] expected;

  /** @param tokenOrNull the admin token; null or blank: no authentication */
  public AdminAccess(String tokenOrNull) {
    this.expected = tokenOrNull == null || tokenOrNull.isBlank() ? null
        : ("Bearer " + tokenOrNull.trim()).getBytes(StandardCharsets.UTF_8);
  }

  /** Whether mutating calls need the token. */
  public boolean tokenRequired() {
    return expected != null;
  }

  /**
   * Checks a mutating call's authorization header.
   *
   * @param authorizationOrNull the header value as sent, or null when absent
   * @throws UnauthenticatedException when a token is configured and the header is missing or
   *     wrong; the message says which
   */
  public void checkMutation(String authorizationOrNull) {
    checkMutation(authorizationOrNull == null ? List.of() : List.of(authorizationOrNull));
  }

  /**
   * Checks a mutating call's authorization values: exactly one must be sent, and it must match
   * (compared in constant time). Two values are refused even when one of them matches: a proxy
   * or client that adds its own header must not turn a wrong token into a valid one.
   *
   * @param authorizations every value of the header, in the order sent (empty when absent)
   * @throws UnauthenticatedException when a token is configured and the header is missing,
   *     repeated or wrong; the message says which
   */
  public void checkMutation(List<String> authorizations) {
    if (expected == null) {
      return;
    }
    if (authorizations.isEmpty()) {
      throw new UnauthenticatedException(
          "admin token required: send 'authorization: Bearer <token>'");
    }
    if (authorizations.size() > 1) {
      throw new UnauthenticatedException("send exactly one authorization header; got "
          + authorizations.size());
    }
    String sent = authorizations.get(0);
    if (sent == null || !MessageDigest.isEqual(expected,
        sent.trim().getBytes(StandardCharsets.UTF_8))) {
      throw new UnauthenticatedException("invalid admin token");
    }
  }

  /** The caller to record for an actor header value (null when absent). */
  public static String actor(String raw) {
    if (raw == null || raw.isBlank() || raw.length() > 64
        || raw.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
      return ANONYMOUS;
    }
    return raw.trim();
  }
}
