package io.mlserve.server.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mlserve.server.core.Failure;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.testing.FakeTicker;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The job table's refusals are typed (no transport), and the shared table classifies them. */
class BulkJobsTest {
  private static final long MIB = 1024 * 1024;

  private static BulkJob never(String id) {
    throw new AssertionError("a refused job must not be made");
  }

  @Test
  void anUnknownJobIsNotFound() {
    BulkJobs jobs = new BulkJobs(4, 8 * MIB, TimeUnit.MINUTES.toNanos(1), new FakeTicker());
    InferenceException e = assertThrows(InferenceException.class, () -> jobs.get("j1"));
    assertEquals(InferenceException.Kind.NOT_FOUND, e.kind());
    assertEquals("no bulk job 'j1' (unknown, deleted or expired)", e.getMessage());
    assertEquals(InferenceException.Kind.NOT_FOUND,
        assertThrows(InferenceException.class, () -> jobs.delete("j1")).kind());
  }

  @Test
  void aFullTableIsResourceExhaustedSoClientsRetry() {
    BulkJobs jobs = new BulkJobs(0, 8 * MIB, TimeUnit.MINUTES.toNanos(1), new FakeTicker());
    InferenceException e =
        assertThrows(InferenceException.class, () -> jobs.add(MIB, BulkJobsTest::never));
    assertEquals(InferenceException.Kind.RESOURCE_EXHAUSTED, e.kind());
    assertEquals("bulk job table is full (0 of 0 jobs, 0.0 MiB of 8.0 MiB reserved); retry "
        + "later or DELETE finished jobs", e.getMessage());
    assertEquals(true, Failure.of(e).retryLater());
  }

  @Test
  void aJobLargerThanTheWholeLimitIsItsOwnRefusal() {
    BulkJobs jobs = new BulkJobs(4, MIB, TimeUnit.MINUTES.toNanos(1), new FakeTicker());
    BulkJobTooLargeException e = assertThrows(BulkJobTooLargeException.class,
        () -> jobs.add(2 * MIB, BulkJobsTest::never));
    assertEquals("a bulk job of about 2.0 MiB exceeds the bulk-job memory limit of 1.0 MiB",
        e.getMessage());
    assertEquals(Failure.Code.INVALID_ARGUMENT, Failure.of(e).code());
    assertEquals(0, jobs.size());
  }
}
