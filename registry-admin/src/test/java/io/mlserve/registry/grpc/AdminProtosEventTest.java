package io.mlserve.registry.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.mlserve.store.Event;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Events without a model (a process alert) go over WatchEvents like any other. */
class AdminProtosEventTest {
  @Test
  void anEventWithoutAModelHasAnEmptyModelNameAndItsJson() {
    Event e = new Event("ml.alert.firing.v1", null, null, null, null, 1000, 7, null, Map.of(),
        Map.of("alertname", JsonNodeFactory.instance.textNode("ResourceExhaustion")));
    io.mlserve.proto.admin.v1.Event p = AdminProtos.event(e);
    assertEquals("", p.getModelName());
    assertEquals("ml.alert.firing.v1", p.getEventType());
    assertEquals(7, p.getSeq());
    assertTrue(p.getJson().contains("\"model_name\":null"), p.getJson());
    assertTrue(p.getJson().contains("\"alertname\":\"ResourceExhaustion\""), p.getJson());
  }
}
