package io.mlserve.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SemVerTest {
  @Test
  void acceptsStrictSemverOnly() {
    for (String ok : List.of("0.0.0", "1.2.3", "10.20.30", "1.0.0-alpha.1", "1.0.0+build.5",
        "1.0.0-rc.1+sha.abc")) {
      assertTrue(SemVer.isValid(ok), ok);
    }
    for (String bad : List.of("", "1", "1.2", "v1.2.3", "01.2.3", "1.2.3-", "1.2.3-01",
        "1.2.3.4", "../1.0.0", "1.0.0/x", " 1.0.0")) {
      assertFalse(SemVer.isValid(bad), bad);
    }
  }

  @Test
  void sortsByPrecedence() {
    List<String> sorted = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
        "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.2.0", "1.10.0",
        "2.0.0");
    List<String> shuffled = new java.util.ArrayList<>(sorted);
    java.util.Collections.reverse(shuffled);
    assertEquals(sorted,
        shuffled.stream().map(SemVer::parse).sorted().map(SemVer::toString).toList());
  }

  @Test
  void buildMetadataDoesNotAffectPrecedence() {
    assertEquals(0, SemVer.parse("1.0.0+a").comparePrecedence(SemVer.parse("1.0.0+b")));
  }

  @Test
  void componentsAreBoundedToWhatABumpCanHold() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SemVer.parse("99999999999999999999.0.0"));
    assertTrue(e.getMessage().contains("MAJOR, MINOR and PATCH must each be at most 2147483647"),
        e.getMessage());
    assertFalse(SemVer.isValid("1.99999999999.0"));
    assertFalse(SemVer.isValid("1.0.2147483648"));
    assertTrue(SemVer.isValid("2147483647.2147483647.2147483647"));
    assertEquals("1.0.2147483647", SemVer.parse("1.0.2147483646").bump("patch").toString());
    IllegalArgumentException top = assertThrows(IllegalArgumentException.class,
        () -> SemVer.parse("1.0.2147483647").bump("patch"));
    assertTrue(top.getMessage().contains("cannot bump patch of 1.0.2147483647"), top.getMessage());
    assertEquals("2.0.0", SemVer.parse("1.0.2147483647").bump("major").toString());
  }
}
