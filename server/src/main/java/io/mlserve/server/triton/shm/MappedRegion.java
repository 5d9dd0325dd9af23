package io.mlserve.server.triton.shm;

import java.nio.MappedByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One registered region, mapped read-write, with a reference count: the registry holds one
 * reference while the region is registered and each request that uses it holds one more from
 * the moment it names the region until its answer is written. The mapping is released
 * ({@link Unmapper}) when the count reaches zero, so an unregistration while requests are in
 * flight takes the name away at once (new requests cannot find it, the name can be registered
 * again) but unmaps only after the last of those requests let go: no access ever reaches an
 * unmapped buffer.
 *
 * <p>Reads and writes use absolute indices on the shared buffer (no position is changed), so
 * requests may use one region concurrently; what they see of bytes another process writes at
 * the same time is the client's affair, as with Triton. This class is thread-safe.
 */
final class MappedRegion {
  private final RegionStatus status;
  private final MappedByteBuffer buffer;
  private final Runnable onUnmapped;
  private final AtomicInteger refs = new AtomicInteger(1);

  /** @param onUnmapped told once, after the mapping is released (the registry's accounting) */
  MappedRegion(RegionStatus status, MappedByteBuffer buffer, Runnable onUnmapped) {
    this.status = Objects.requireNonNull(status, "status");
    this.buffer = Objects.requireNonNull(buffer, "buffer");
    this.onUnmapped = Objects.requireNonNull(onUnmapped, "onUnmapped");
  }

  RegionStatus status() {
    return status;
  }

  String name() {
    return status.name();
  }

  /** The region's size in bytes (at most {@code Integer.MAX_VALUE}). */
  int byteSize() {
    return buffer.capacity();
  }

  /** Takes one more reference; false when the mapping is already released. */
  boolean retain() {
    while (true) {
      int r = refs.get();
      if (r == 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /** Gives one reference back; the last one releases the mapping. */
  void release() {
    int left = refs.decrementAndGet();
    if (left == 0) {
      Unmapper.unmap(buffer);
      onUnmapped.run();
    } else if (left < 0) {
      throw new IllegalStateException("region '" + status.name() + "' released too often");
    }
  }

  /** References held now (the registry's and the requests'); 0 once released. */
  int references() {
    return refs.get();
  }

  /** Copies {@code length} bytes from {@code offset}; the caller checked the bounds. */
  byte[] read(int offset, int length) {
    byte[] out = new byte[length];
    buffer.get(offset, out, 0, length);
    return out;
  }

  /** Writes {@code data} at {@code offset}; the caller checked the bounds. */
  void write(int offset, byte[] data) {
    buffer.put(offset, data, 0, data.length);
  }
}
