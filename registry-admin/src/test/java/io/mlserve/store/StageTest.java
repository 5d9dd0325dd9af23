package io.mlserve.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StageTest {
  @Test
  void parsesCaseInsensitively() {
    assertEquals(Stage.PRODUCTION, Stage.parse("production"));
    assertEquals(Stage.STAGING, Stage.parse("STAGING"));
    assertEquals(Stage.DEPRECATED, Stage.parse("Deprecated"));
    assertEquals("Archived", Stage.ARCHIVED.displayName());
  }

  @Test
  void unknownStageNamesTheAllowedValues() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Stage.parse("prod"));
    assertTrue(e.getMessage().contains(
        "allowed: Development, Staging, Production, Deprecated, Archived"), e.getMessage());
  }
}
