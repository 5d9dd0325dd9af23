package io.mlserve.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A named, time-limited lease in the store, so that with several servers on one store exactly
 * one runs a lifecycle singleton (the rollout controller, approval timers, alert evaluation,
 * cleanup) while the others follow the records it writes. The lease is the file
 * {@code <store>/.leases/<name>.json} ({@code {"holder", "expires_at_ms"}}), read and replaced
 * under the store lock, so two processes never both hold it: {@link #tryAcquire} takes a free or
 * expired lease, or renews this holder's own, until now + ttl. A holder that dies simply stops
 * renewing; another takes over once the lease expires.
 *
 * <p>Expiry compares wall clocks: the servers sharing a store must agree on the time to well
 * within the ttl (one host, or NTP). This class is thread-safe.
 */
public final class StoreLease {
  /** Who holds a lease, and until when (epoch ms). */
  public record Holder(String holder, long expiresAtMillis) {}

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
  private static final int MAX_BYTES = 4096;

  private final ModelStore store;
  private final String name;
  private final String holderId;
  private final Duration ttl;
  private final Clock clock;

  /**
   * @param name the lease's name: lower-case letters, digits, '-' and '_', at most 64
   * @param holderId this holder's identity (unique per process, e.g. host, pid and a random part)
   * @param ttl how long an acquisition lasts without renewal: 1 s to 1 h
   */
  public StoreLease(ModelStore store, String name, String holderId, Duration ttl, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.name = Objects.requireNonNull(name, "name");
    this.holderId = Objects.requireNonNull(holderId, "holderId");
    this.ttl = Objects.requireNonNull(ttl, "ttl");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("lease name must be 1-64 of a-z, 0-9, '-', '_' "
          + "starting with a letter, got '" + name + "'");
    }
    if (holderId.isBlank() || holderId.length() > 256) {
      throw new IllegalArgumentException("lease holder must be 1-256 characters");
    }
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("lease ttl must be between 1 s and 1 h, got " + ttl);
    }
  }

  /**
   * Takes the lease if it is free or expired, or renews it if this holder has it.
   *
   * @return whether this holder holds the lease now, until now + ttl
   * @throws StoreException when the store cannot be read or written (e.g. a full disk): the
   *     caller must then act as if it did not hold the lease
   */
  public boolean tryAcquire() {
    return store.lock().call(() -> {
      long now = clock.millis();
      Optional<Holder> current = read();
      if (current.isPresent() && !current.get().holder().equals(holderId)
          && current.get().expiresAtMillis() > now) {
        return false;
      }
      ObjectNode json = StoreJson.MAPPER.createObjectNode();
      json.put("holder", holderId);
      json.put("expires_at_ms", now + ttl.toMillis());
      Files.createDirectories(file().getParent());
      store.files().write(file(), StoreJson.MAPPER.writeValueAsBytes(json));
      return true;
    });
  }

  /** Gives the lease up if this holder has it (others may take it at once). */
  public void release() {
    store.lock().call(() -> {
      Optional<Holder> current = read();
      if (current.isPresent() && current.get().holder().equals(holderId)) {
        Files.deleteIfExists(file());
      }
      return null;
    });
  }

  /** The lease's holder as the store says now, expired or not; empty when none. */
  public Optional<Holder> current() {
    return store.lock().call(this::read);
  }

  private Path file() {
    return store.root().resolve(".leases").resolve(name + ".json");
  }

  private Optional<Holder> read() throws IOException {
    byte[] bytes;
    try {
      if (Files.isSymbolicLink(file())) {
        throw new StoreException("lease " + name + " is a symbolic link; remove it");
      }
      if (Files.size(file()) > MAX_BYTES) {
        throw new StoreException("lease " + name + " is larger than " + MAX_BYTES + " bytes");
      }
      bytes = Files.readAllBytes(file());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    JsonNode n;
    try {
      n = StoreJson.MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return Optional.empty(); // unreadable: treated as free (it is rewritten by the next taker)
    }
    if (n == null || !n.path("holder").isTextual() || !n.path("expires_at_ms").canConvertToLong()) {
      return Optional.empty();
    }
    return Optional.of(new Holder(n.get("holder").asText(), n.get("expires_at_ms").asLong()));
  }
}
