package io.mlserve.registry.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.proto.serving.v1.FeedbackResponse;
import io.mlserve.proto.serving.v1.MetricValue;
import org.junit.jupiter.api.Test;

/** The JSON shape of a feedback answer: every field present, null where there is no value. */
class ExperimentsJsonFormatTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void feedbackShape() throws Exception {
    FeedbackResponse counted = FeedbackResponse.newBuilder().setModel("m").setRequestId("r1")
        .setVersion("1.1.0").addOutcomes(MetricValue.newBuilder().setMetric("mae").setValue(0.5))
        .addOutcomes(MetricValue.newBuilder().setMetric("rmse").setValue(0.75))
        .setCounted(true).setWindow("current").setSplitId("7").build();
    assertEquals(JSON.readTree("""
        {"model":"m","request_id":"r1","version":"1.1.0","outcomes":{"mae":0.5,"rmse":0.75},
         "counted":true,"window":"current","split_id":"7","note":null}"""),
        JSON.readTree(AdminJsonFormat.toString(g -> ExperimentsJsonFormat.feedback(g, counted),
            false)));
    FeedbackResponse bypassed = FeedbackResponse.newBuilder().setModel("m").setRequestId("r2")
        .setVersion("1.0.0").addOutcomes(MetricValue.newBuilder().setMetric("reward")
            .setValue(3)).setNote("no split").build();
    assertEquals(JSON.readTree("""
        {"model":"m","request_id":"r2","version":"1.0.0","outcomes":{"reward":3.0},
         "counted":false,"window":null,"split_id":null,"note":"no split"}"""),
        JSON.readTree(AdminJsonFormat.toString(
            g -> ExperimentsJsonFormat.feedback(g, bypassed), false)));
  }
}
