package io.mlserve.server.triton.shm;

import io.mlserve.server.core.InferenceException;

/**
 * Where one tensor lives in shared memory: the parameters {@code shared_memory_region},
 * {@code shared_memory_offset} (optional, default 0) and {@code shared_memory_byte_size} of
 * Triton's shared-memory extension, as each transport reads them from its own parameter form.
 *
 * @param region a registered region's name
 * @param offset where the tensor starts, in bytes from the region's start
 * @param byteSize the tensor's size in bytes
 */
public record ShmRef(String region, long offset, long byteSize) {
  /** The parameter naming the region. */
  public static final String REGION = "shared_memory_region";
  /** The parameter giving the offset into the region. */
  public static final String OFFSET = "shared_memory_offset";
  /** The parameter giving the tensor's byte size. */
  public static final String BYTE_SIZE = "shared_memory_byte_size";

  /**
   * The reference the three parameters make, or null when none is present.
   *
   * @param what the tensor, for messages ({@code "input 'curve'"})
   * @param region {@link #REGION}, or null when absent
   * @param offset {@link #OFFSET}, or null when absent
   * @param byteSize {@link #BYTE_SIZE}, or null when absent
   * @throws InferenceException INVALID_ARGUMENT when only some are given or one is negative
   */
  public static ShmRef of(String what, String region, Long offset, Long byteSize) {
    if (region == null && byteSize == null) {
      if (offset != null) {
        throw InferenceException.invalid(what + ": " + OFFSET + " is given without " + REGION
            + " and " + BYTE_SIZE);
      }
      return null;
    }
    if (region == null || byteSize == null) {
      throw InferenceException.invalid(what + ": " + REGION + " and " + BYTE_SIZE
          + " go together; only " + (region == null ? BYTE_SIZE : REGION) + " is given");
    }
    if (region.isEmpty()) {
      throw InferenceException.invalid(what + ": " + REGION + " is empty");
    }
    long off = offset == null ? 0 : offset;
    if (off < 0 || byteSize < 0) {
      throw InferenceException.invalid(what + ": " + (off < 0 ? OFFSET : BYTE_SIZE)
          + " must not be negative");
    }
    return new ShmRef(region, off, byteSize);
  }
}
