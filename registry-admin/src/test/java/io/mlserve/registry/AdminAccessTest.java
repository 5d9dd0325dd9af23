package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The admin token rule: exactly one matching value. */
class AdminAccessTest {
  private final AdminAccess access = new AdminAccess("secret");

  @Test
  void oneMatchingValuePasses() {
    assertDoesNotThrow(() -> access.checkMutation(List.of("Bearer secret")));
    assertDoesNotThrow(() -> access.checkMutation("Bearer secret"));
  }

  @Test
  void missingWrongOrRepeatedValuesAreRefusedSayingWhich() {
    assertEquals("admin token required: send 'authorization: Bearer <token>'",
        assertThrows(UnauthenticatedException.class, () -> access.checkMutation(List.of()))
            .getMessage());
    assertEquals("invalid admin token", assertThrows(UnauthenticatedException.class,
        () -> access.checkMutation(List.of("Bearer secrets"))).getMessage());
    for (List<String> two : List.of(List.of("Bearer wrong", "Bearer secret"),
        List.of("Bearer secret", "Bearer wrong"), List.of("Bearer secret", "Bearer secret"))) {
      assertEquals("send exactly one authorization header; got 2",
          assertThrows(UnauthenticatedException.class, () -> access.checkMutation(two))
              .getMessage());
    }
  }

  @Test
  void withoutATokenEverythingPasses() {
    assertDoesNotThrow(() -> new AdminAccess(null).checkMutation(List.of("a", "b")));
  }
}
