package io.mlserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine defaults a command sets, and that a user's own settings are kept. */
class EnginePropertiesTest {
  private static final List<String> KEYS = List.of("ai.djl.offline", "OPT_OUT_TRACKING",
      "ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads",
      EngineProperties.GRAPH_OPTIMIZER);
  private final Map<String, String> saved = new HashMap<>();

  @BeforeEach
  void save() {
    for (String k : KEYS) {
      saved.put(k, System.getProperty(k));
      System.clearProperty(k);
    }
  }

  @AfterEach
  void restore() {
    for (String k : KEYS) {
      if (saved.get(k) == null) {
        System.clearProperty(k);
      } else {
        System.setProperty(k, saved.get(k));
      }
    }
  }

  @Test
  void unsetPropertiesGetTheServersDefaultsWithTheGraphOptimizerOff() {
    EngineProperties.setDefaults(3);
    assertEquals("true", System.getProperty("ai.djl.offline"));
    assertEquals("true", System.getProperty("OPT_OUT_TRACKING"));
    assertEquals("3", System.getProperty("ai.djl.pytorch.num_threads"));
    assertEquals("1", System.getProperty("ai.djl.pytorch.num_interop_threads"));
    assertEquals("false", System.getProperty(EngineProperties.GRAPH_OPTIMIZER));
  }

  @Test
  void aUsersOwnSettingsAreKept() {
    System.setProperty(EngineProperties.GRAPH_OPTIMIZER, "true");
    System.setProperty("ai.djl.pytorch.num_threads", "2");
    EngineProperties.setDefaults(1);
    assertEquals("true", System.getProperty(EngineProperties.GRAPH_OPTIMIZER));
    assertEquals("2", System.getProperty("ai.djl.pytorch.num_threads"));
  }
}
