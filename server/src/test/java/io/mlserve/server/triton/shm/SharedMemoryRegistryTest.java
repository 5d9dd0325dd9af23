package io.mlserve.server.triton.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.triton.shm.SharedMemoryException.Reason;
import io.mlserve.store.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedMemoryRegistryTest {
  private final ShmFiles files = new ShmFiles();
  private final SharedMemoryRegistry registry = new SharedMemoryRegistry(true, 4, 1 << 20);

  @TempDir Path tmp;

  @AfterEach
  void cleanUp() throws Exception {
    registry.close();
    files.close();
  }

  private static SharedMemoryException refused(Reason reason, Runnable r) {
    SharedMemoryException e = assertThrows(SharedMemoryException.class, r::run);
    assertEquals(reason, e.reason(), e.getMessage());
    return e;
  }

  @Test
  void registersListsAndUnregistersAsTriton() throws Exception {
    String key = files.create(256);
    registry.register("in", key, 16, 64);
    registry.register("out", key.substring(1), 128, 128); // shm_open takes it without '/' too
    assertEquals(List.of(new RegionStatus("in", key, 16, 64),
        new RegionStatus("out", key.substring(1), 128, 128)), registry.status(""));
    assertEquals(List.of(new RegionStatus("in", key, 16, 64)), registry.status("in"));
    assertEquals(192, registry.mappedBytes());
    registry.unregister("in");
    assertEquals(List.of("out"), registry.status("").stream().map(RegionStatus::name).toList());
    refused(Reason.NOT_FOUND, () -> registry.status("in"));
    registry.unregister("never-registered"); // no error, as Triton
    registry.unregister("");
    assertEquals(List.of(), registry.status(""));
    assertEquals(0, registry.mappedBytes());
  }

  @Test
  void mapsTheObjectReadWrite() throws Exception {
    String key = files.create(64);
    registry.register("r", key, 8, 16);
    try (ShmRequest req = new ShmRequest(registry)) {
      req.bindOutput("y", new ShmRef("r", 4, 8));
      req.writeOutputs(new int[] {0}, new Tensor[] {new Tensor("y", DataType.INT64,
          new long[] {1}, le(0x0102030405060708L))},
          List.of(new TensorSpec("y", "INT64", List.of(1L))));
    }
    byte[] file = Files.readAllBytes(ShmFiles.path(key));
    assertEquals(0x0102030405060708L,
        ByteBuffer.wrap(file, 12, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
    // and what another process writes is what an input reads
    byte[] patch = le(0x1112131415161718L);
    try (var ch = java.nio.channels.FileChannel.open(ShmFiles.path(key),
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(patch), 8);
    }
    try (ShmRequest req = new ShmRequest(registry)) {
      Tensor t = req.input("x", DataType.INT64, new long[] {1}, new ShmRef("r", 0, 8));
      assertEquals(0x1112131415161718L, t.buffer().getLong(0));
    }
  }

  @Test
  void refusesKeysThatLeaveDevShm() throws Exception {
    Path outside = tmp.resolve("secret");
    Files.write(outside, new byte[64]);
    String link = files.link(outside);
    assertTrue(refused(Reason.INVALID, () -> registry.register("a", link, 0, 8)).getMessage()
        .contains("symbolic link"));
    for (String key : List.of("/../tmp/x", "..", "/..", ".", "/tmp/" + outside.getFileName(),
        outside.toString(), "a/b", "//x", "")) {
      SharedMemoryException e = refused(Reason.INVALID, () -> registry.register("a", key, 0, 8));
      assertTrue(e.getMessage().contains("like '/input_data'")
          || e.getMessage().contains("key is empty"), e.getMessage());
    }
    assertEquals(0, registry.mappedBytes());
    assertEquals(List.of(), registry.status(""));
  }

  @Test
  void refusesMissingObjectsAndBoundsPastTheEnd() throws Exception {
    String missing = "/mlserve-test-missing-" + java.util.UUID.randomUUID();
    assertTrue(refused(Reason.INVALID, () -> registry.register("a", missing, 0, 8))
        .getMessage().contains("no shared memory object"));
    String key = files.create(100);
    refused(Reason.INVALID, () -> registry.register("a", key, 0, 101));
    refused(Reason.INVALID, () -> registry.register("a", key, 101, 1));
    refused(Reason.INVALID, () -> registry.register("a", key, 60, 41));
    refused(Reason.INVALID, () -> registry.register("a", key, Long.MAX_VALUE, 2));
    refused(Reason.INVALID, () -> registry.register("a", key, -1, 2)); // uint64 past 2^63
    refused(Reason.INVALID, () -> registry.register("a", key, 0, 0));
    registry.register("a", key, 60, 40); // exactly to the end
    assertEquals(40, registry.mappedBytes());
  }

  @Test
  void refusesADuplicateNameAndBoundsCountAndBytes() throws Exception {
    String key = files.create(1 << 20);
    registry.register("a", key, 0, 8);
    assertTrue(refused(Reason.EXISTS, () -> registry.register("a", key, 8, 8)).getMessage()
        .contains("already registered"));
    refused(Reason.LIMIT, () -> registry.register("big", key, 0, (1 << 20) - 7));
    registry.register("b", key, 0, 8);
    registry.register("c", key, 0, 8);
    registry.register("d", key, 0, 8);
    assertTrue(refused(Reason.LIMIT, () -> registry.register("e", key, 0, 8)).getMessage()
        .contains("--shm-max-regions"));
    assertEquals(4, registry.status("").size());
  }

  @Test
  void aDisabledRegistryRefusesAndListsNothing() throws Exception {
    String key = files.create(64);
    SharedMemoryRegistry off = SharedMemoryRegistry.disabled();
    assertTrue(refused(Reason.DISABLED, () -> off.register("a", key, 0, 8)).getMessage()
        .contains("--system-shared-memory"));
    assertEquals(List.of(), off.status(""));
    try (ShmRequest req = new ShmRequest(off)) {
      InferenceException e = assertThrows(InferenceException.class,
          () -> req.input("x", DataType.FP32, new long[] {2}, new ShmRef("a", 0, 8)));
      assertTrue(e.getMessage().contains("disabled"), e.getMessage());
    }
  }

  @Test
  void unregisteringARegionInUseKeepsItMappedUntilTheRequestFinishes() throws Exception {
    assertTrue(Unmapper.available(), "invokeCleaner is expected on JDK 17");
    String key = files.create(64);
    registry.register("r", key, 0, 64);
    ShmRequest inFlight = new ShmRequest(registry);
    inFlight.bindOutput("y", new ShmRef("r", 0, 8));
    MappedRegion region = registry.acquire("r");
    region.release();
    assertEquals(2, region.references()); // the registry's and the request's

    registry.unregister("r");
    assertEquals(List.of(), registry.status(""));
    assertEquals(64, registry.mappedBytes()); // still mapped: a request holds it
    try (ShmRequest later = new ShmRequest(registry)) {
      InferenceException e = assertThrows(InferenceException.class,
          () -> later.input("x", DataType.INT64, new long[] {1}, new ShmRef("r", 0, 8)));
      assertTrue(e.getMessage().contains("'r' is not registered"), e.getMessage());
    }
    registry.register("r", key, 0, 32); // the name is free again
    inFlight.writeOutput("y", new Tensor("y", DataType.INT64, new long[] {1}, le(42)));
    inFlight.close();
    assertEquals(0, region.references());
    assertEquals(32, registry.mappedBytes());
    assertThrows(java.util.concurrent.CancellationException.class,
        () -> inFlight.writeOutput("y", new Tensor("y", DataType.INT64, new long[] {1}, le(1))));
    assertEquals(42, ByteBuffer.wrap(Files.readAllBytes(ShmFiles.path(key)))
        .order(ByteOrder.LITTLE_ENDIAN).getLong(0));
  }

  static byte[] le(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }
}
