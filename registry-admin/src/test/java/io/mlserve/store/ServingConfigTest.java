package io.mlserve.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServingConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void defaults() {
    assertEquals(new ServingConfig(64, 0, 1024, 1, "cpu", 1, 1_000_000), ServingConfig.defaults());
    assertEquals(ServingConfig.defaults(), new ServingConfig(64, 0, 1024, 1, "cpu", 1),
        "the six-value constructor takes the default queue timeout");
  }

  @Test
  void withersChangeOnlyTheirField() {
    ServingConfig s = new ServingConfig(32, 7, 9, 2, "gpu0", 3, 5000);
    assertEquals(new ServingConfig(1, 7, 9, 2, "gpu0", 3, 5000), s.withMaxBatchSize(1));
    assertEquals(new ServingConfig(32, 8, 9, 2, "gpu0", 3, 5000), s.withMaxQueueDelayUs(8));
    assertEquals(new ServingConfig(32, 7, 9, 4, "gpu0", 3, 5000), s.withInstances(4));
    assertEquals(new ServingConfig(32, 7, 9, 2, "gpu0", 5, 5000), s.withThreadsPerInstance(5));
    assertEquals(new ServingConfig(32, 7, 9, 2, "gpu0", 3, 900), s.withQueueTimeoutUs(900));
  }

  @Test
  void withersKeepTheOptionalFieldsAndChangeTheirs() {
    ServingConfig s = new ServingConfig(32, 7, 9, 2, "gpu0", 3, 5000, true, 1, 4, 60);
    assertEquals(new ServingConfig(1, 7, 9, 2, "gpu0", 3, 5000, true, 1, 4, 60),
        s.withMaxBatchSize(1));
    assertEquals(new ServingConfig(32, 7, 9, 2, "gpu1", 3, 5000, true, 1, 4, 60),
        s.withDevice("gpu1"));
    assertEquals(new ServingConfig(32, 7, 9, 2, "gpu0", 3, 5000, false, 1, 4, 60),
        s.withAllowCpuFallback(false));
    assertEquals(new ServingConfig(32, 7, 9, 2, "gpu0", 3, 5000, true, null, 8, 60),
        s.withScaling(null, 8));
    assertEquals(new ServingConfig(32, 7, 9, 2, "gpu0", 3, 5000, true, 1, 4, null),
        s.withIdleUnloadSeconds(null));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> s.withScaling(5, 4));
    assertTrue(e.getMessage().contains("serving.min_instances (5)"), e.getMessage());
  }

  /** Each bound: the last value in range is accepted, the first one outside is refused. */
  @ParameterizedTest(name = "{0}={1} ok, {0}={2} refused")
  @CsvSource({
      "max_batch_size,       4096,     4097,       1,  4096",
      "max_batch_size,       1,        0,          1,  4096",
      "max_batch_size,       4096,     100000000,  1,  4096",
      "max_queue_delay_us,   1000000,  1000001,    0,  1000000",
      "max_queue_delay_us,   0,        -1,         0,  1000000",
      "queue_capacity,       65536,    65537,      1,  65536",
      "queue_capacity,       1,        0,          1,  65536",
      "queue_capacity,       65536,    2000000000, 1,  65536",
      "instances,            64,       65,         1,  64",
      "instances,            1,        0,          1,  64",
      "instances,            64,       1000,       1,  64",
      "threads_per_instance, 64,       65,         1,  64",
      "threads_per_instance, 1,        0,          1,  64",
      "queue_timeout_us,     60000000, 60000001,   100, 60000000",
      "queue_timeout_us,     100,      99,         100, 60000000",
      "min_instances,        64,       65,         1,  64",
      "min_instances,        1,        0,          1,  64",
      "max_instances,        64,       65,         1,  64",
      "max_instances,        1,        0,          1,  64",
      "idle_unload_seconds,  604800,   604801,     0,  604800",
      "idle_unload_seconds,  0,        -1,         0,  604800",
  })
  void boundsEveryValueNamingFieldValueAndRange(String field, long ok, long refused, long min,
      long max) throws Exception {
    ServingConfig accepted = fromJson(field, ok);
    assertEquals(ok, JSON.valueToTree(accepted).get(field).asLong());
    JsonProcessingException e =
        assertThrows(JsonProcessingException.class, () -> fromJson(field, refused));
    String message = e.getOriginalMessage();
    assertFalse(message.contains("io.mlserve"), "no class names: " + message);
    assertEquals("serving." + field + " must be between " + min + " and " + max + ", got "
        + refused, message);
  }

  @Test
  void deviceMustBeShortAndNotBlank() {
    assertMessage("serving.device must be 1 to 32 characters (e.g. cpu, gpu0), got a blank value",
        () -> new ServingConfig(1, 0, 1, 1, " ", 1));
    assertMessage("got 33 characters", () -> new ServingConfig(1, 0, 1, 1, "g".repeat(33), 1));
    assertEquals("cuda:1", new ServingConfig(1, 0, 1, 1, "cuda:1", 1).device());
  }

  @Test
  void absentFieldsTakeTheDefaults() throws Exception {
    ServingConfig s = JSON.readValue("{\"max_batch_size\":8}", ServingConfig.class);
    assertEquals(ServingConfig.defaults().withMaxBatchSize(8), s);
    assertEquals(1_000_000, s.queueTimeoutUs());
  }

  @Test
  void scalingBoundsAreOptionalAndOrdered() throws Exception {
    ServingConfig fixed = JSON.readValue("{\"instances\":3}", ServingConfig.class);
    assertEquals(3, fixed.scalingMin());
    assertEquals(3, fixed.scalingMax());
    assertFalse(fixed.autoscales());
    assertFalse(JSON.valueToTree(fixed).has("min_instances"), "absent bounds are not written");
    ServingConfig scaled = JSON.readValue(
        "{\"instances\":2,\"min_instances\":1,\"max_instances\":8}", ServingConfig.class);
    assertEquals(1, scaled.scalingMin());
    assertEquals(8, scaled.scalingMax());
    assertEquals(2, scaled.initialInstances());
    assertTrue(scaled.autoscales());
    assertEquals(scaled, JSON.treeToValue(JSON.valueToTree(scaled), ServingConfig.class));
    ServingConfig onlyMax = JSON.readValue(
        "{\"instances\":6,\"max_instances\":4}", ServingConfig.class);
    assertEquals(4, onlyMax.initialInstances(), "instances is brought within the bounds");
    JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> JSON.readValue(
        "{\"min_instances\":5,\"max_instances\":2}", ServingConfig.class));
    assertEquals("serving.min_instances (5) must not exceed serving.max_instances (2)",
        e.getOriginalMessage());
  }

  @Test
  void idleTimeoutIsOptionalAndRoundTrips() throws Exception {
    ServingConfig absent = JSON.readValue("{}", ServingConfig.class);
    assertEquals(null, absent.idleUnloadSeconds(), "absent: the server's default");
    assertEquals(0, absent.idleUnloadSecondsOrNever());
    assertFalse(JSON.valueToTree(absent).has("idle_unload_seconds"), "absent is not written");
    ServingConfig set = JSON.readValue("{\"idle_unload_seconds\":600}", ServingConfig.class);
    assertEquals(600, set.idleUnloadSecondsOrNever());
    assertEquals(set, JSON.treeToValue(JSON.valueToTree(set), ServingConfig.class));
    assertEquals(set, absent.withIdleUnloadSeconds(600));
    assertEquals(600, set.withInstances(2).idleUnloadSecondsOrNever(), "copies keep it");
  }

  private static ServingConfig fromJson(String field, long value) throws Exception {
    return JSON.readValue("{\"" + field + "\":" + value + "}", ServingConfig.class);
  }

  private static void assertMessage(String expected, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
