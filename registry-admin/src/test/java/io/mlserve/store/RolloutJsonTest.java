package io.mlserve.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link RolloutJson} and the feedback thresholds of {@link Rollout.Thresholds}. */
class RolloutJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Rollout rollout(Rollout.Thresholds t) {
    return new Rollout("1.3.0", "1.2.0", Rollout.DEFAULT_STEPS, 60_000, t, null, 1,
        Rollout.State.RUNNING, 99, 2, "feedback not measured (n=3 < 40)", null);
  }

  @Test
  void theFeedbackThresholdsRoundTripAndAreAlwaysWritten() throws Exception {
    Rollout r = rollout(new Rollout.Thresholds(0.01, 200, 100, null, 0.05, 40));
    ObjectNode o = RolloutJson.toJson(r);
    assertEquals(0.05, o.at("/thresholds/max_feedback_regression").asDouble());
    assertEquals(40, o.at("/thresholds/min_feedback").asLong());
    assertEquals(r, RolloutJson.fromJson(JSON.readTree(JSON.writeValueAsString(o))));

    ObjectNode none = RolloutJson.toJson(rollout(Rollout.Thresholds.DEFAULTS));
    assertTrue(none.at("/thresholds/max_feedback_regression").isNull(), none.toString());
    assertEquals(30, none.at("/thresholds/min_feedback").asLong());
  }

  @Test
  void aSectionWrittenBeforeTheFeedbackCheckReadsAsNone() throws Exception {
    ObjectNode o = RolloutJson.toJson(rollout(new Rollout.Thresholds(0.02, 150, 50, 0.1)));
    ((ObjectNode) o.get("thresholds")).remove(List.of("max_feedback_regression",
        "min_feedback"));
    Rollout r = RolloutJson.fromJson(o);
    assertEquals(new Rollout.Thresholds(0.02, 150, 50, 0.1, null, 30), r.thresholds());
  }

  @Test
  void badFeedbackThresholdsAreNamed() {
    ObjectNode o = RolloutJson.toJson(rollout(Rollout.Thresholds.DEFAULTS));
    ((ObjectNode) o.get("thresholds")).put("max_feedback_regression", 5);
    assertEquals("max feedback regression 5.0 is not a fraction from 0 to 1 (0.05: the"
        + " candidate's feedback metric at most 5% worse than the stable version's)",
        assertThrows(IllegalArgumentException.class, () -> RolloutJson.fromJson(o))
            .getMessage());
    ((ObjectNode) o.get("thresholds")).put("max_feedback_regression", 0.05)
        .put("min_feedback", "many");
    assertEquals("min_feedback is missing or not an integer",
        assertThrows(IllegalArgumentException.class, () -> RolloutJson.fromJson(o))
            .getMessage());
    assertEquals("min feedback 0 is below 1: feedback is never compared on no outcomes",
        assertThrows(IllegalArgumentException.class,
            () -> new Rollout.Thresholds(0.01, 200, 100, null, 0.05, 0)).getMessage());
    assertEquals("max feedback regression -0.1 is not a fraction from 0 to 1 (0.05: the"
        + " candidate's feedback metric at most 5% worse than the stable version's)",
        assertThrows(IllegalArgumentException.class,
            () -> new Rollout.Thresholds(0.01, 200, 100, null, -0.1, 30)).getMessage());
    assertEquals("max feedback regression NaN is not a fraction from 0 to 1 (0.05: the"
        + " candidate's feedback metric at most 5% worse than the stable version's)",
        assertThrows(IllegalArgumentException.class,
            () -> new Rollout.Thresholds(0.01, 200, 100, null, Double.NaN, 30)).getMessage());
  }

  @Test
  void withFeedbackTakesTheDefaultsAndRefusesAMinimumWithoutAThreshold() {
    Rollout.Thresholds d = Rollout.Thresholds.DEFAULTS;
    assertEquals(new Rollout.Thresholds(0.01, 200, 100, null, 0.05, 30),
        d.withFeedback(0.05, null));
    assertEquals(new Rollout.Thresholds(0.01, 200, 100, null, 0.1, 200),
        d.withFeedback(0.1, 200L));
    assertEquals(d, d.withFeedback(null, null));
    assertEquals("min feedback 50 is set without a max feedback regression: it only says how"
        + " many outcomes the feedback check needs, so set both",
        assertThrows(IllegalArgumentException.class, () -> d.withFeedback(null, 50L))
            .getMessage());
  }

  @Test
  void aFeedbackThresholdNeedsAStepWhereTheStableVersionStillServes() {
    assertEquals("a max feedback regression needs a step below 100: feedback is compared"
        + " while the stable version still serves, and at 100% it serves nothing (e.g. steps"
        + " 5,25,50,100)", assertThrows(IllegalArgumentException.class,
            () -> new Rollout("1.3.0", "1.2.0", List.of(100.0), 60_000,
                new Rollout.Thresholds(0.01, 200, 100, null, 0.05, 30), null, 0,
                Rollout.State.RUNNING, 99, 0, null, null)).getMessage());
  }
}
