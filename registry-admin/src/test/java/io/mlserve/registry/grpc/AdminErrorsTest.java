package io.mlserve.registry.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mlserve.registry.InvalidRequestException;
import io.mlserve.store.StoreException;
import org.junit.jupiter.api.Test;

class AdminErrorsTest {
  @Test
  void storeFailuresKeepTheirWordsWithoutPathsOrExceptionNamesAndGainAnId() {
    StatusRuntimeException e = AdminErrors.toStatus(new StoreException(
        "cannot write /tmp/store/m/history.jsonl: java.io.IOException: No space left on device"));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().matches("cannot write \\.\\.\\./history\\.jsonl: No"
        + " space left on device \\(error id [0-9a-f]{16}\\)"), e.getStatus().getDescription());
  }

  @Test
  void unexpectedFailuresAreAGenericMessageWithAnId() {
    String d = AdminErrors.toStatus(new IllegalStateException("java.lang.Foo at /tmp/x/y"))
        .getStatus().getDescription();
    assertTrue(d.matches("internal error \\(error id [0-9a-f]{16}; the server log has the "
        + "details\\)"), d);
  }

  @Test
  void refusalsAreScrubbed() {
    String d = AdminErrors.toStatus(new InvalidRequestException("artifact /tmp/up/model.pt "
        + "cannot be read: java.nio.file.NoSuchFileException: /tmp/up/model.pt"))
        .getStatus().getDescription();
    assertEquals("artifact .../model.pt cannot be read: .../model.pt", d);
    assertFalse(d.contains("Exception"));
  }
}
