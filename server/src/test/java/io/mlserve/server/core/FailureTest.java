package io.mlserve.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FailureTest {
  @Test
  void everyCaseIsClassifiedAndWordedAsTheTableSays() {
    Set<Failure.Code> seen = EnumSet.noneOf(Failure.Code.class);
    for (ErrorCases.Case c : ErrorCases.all()) {
      Failure f = Failure.of(c.failure());
      assertEquals(c.code(), f.code(), c.name());
      assertTrue(f.message().matches(c.message()), c.name() + ": " + f.message());
      assertFalse(f.message().matches(".*(Exception|java\\.|io\\.mlserve|/srv/|/tmp/).*"),
          c.name() + ": " + f.message());
      assertEquals(c.code() == Failure.Code.RESOURCE_EXHAUSTED, f.retryLater(), c.name());
      seen.add(f.code());
    }
    assertEquals(EnumSet.allOf(Failure.Code.class), seen, "a code the cases never reach");
  }

  @Test
  void everyInferenceKindHasACode() {
    for (InferenceException.Kind k : InferenceException.Kind.values()) {
      assertEquals(k.name(), Failure.codeOf(k).name());
    }
  }
}
