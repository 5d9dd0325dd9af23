package io.mlserve.server.triton.shm;

/**
 * One registered system shared-memory region as its status lists it (Triton's
 * {@code SystemSharedMemoryStatusResponse.RegionStatus}).
 *
 * @param name the region's name
 * @param key the key the client registered it with (e.g. {@code /input_data})
 * @param offset where the region starts in the shared-memory object, in bytes
 * @param byteSize the region's size in bytes
 */
public record RegionStatus(String name, String key, long offset, long byteSize) {}
