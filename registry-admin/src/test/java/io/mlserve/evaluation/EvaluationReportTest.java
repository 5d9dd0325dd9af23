package io.mlserve.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class EvaluationReportTest {
  private final FakeTime time = new FakeTime(Instant.parse("2026-11-29T21:00:00Z"));

  @Test
  void everyStringIsEscapedAndNothingIsFetched() {
    String hostile = "<script>alert('x')</script>&\"";
    Evaluation e = EvaluationFixtures.regression(time, "m", hostile, true)
        .withVerdict(EvaluationFixtures.verdict());
    String html = EvaluationReport.render(e);
    assertFalse(html.contains("<script"), "a script tag got through");
    assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"));
    // no external asset: the only URL is the SVG namespace
    Matcher m = Pattern.compile("(?i)(https?:|src=|href=|@import|url\\()").matcher(html);
    while (m.find()) {
      assertTrue(html.startsWith("http://www.w3.org/2000/svg", m.start()),
          "external reference at " + m.start() + ": "
          + html.substring(m.start(), Math.min(html.length(), m.start() + 40)));
    }
  }

  @Test
  void showsTablesAndPlotsOfBothVersions() {
    Evaluation e = EvaluationFixtures.regression(time, "m", "alice", true);
    String html = EvaluationReport.render(e);
    assertTrue(html.contains("<th>2.0.0 (candidate)</th>"));
    assertTrue(html.contains("<th>1.0.0 (baseline)</th>"));
    assertTrue(html.contains("<td>cost</td>"));
    assertTrue(html.contains("Latency of the predictor calls"));
    // error histogram, predicted vs actual, MAE per output value
    assertEquals(3, html.split("<svg ", -1).length - 1);
    assertTrue(html.contains("Predicted vs actual"));
  }

  @Test
  void aClassificationHasTablesButNoRegressionPlots() {
    Evaluation r = EvaluationFixtures.regression(time, "m", "alice", false);
    Evaluation c = new Evaluation(r.id(), r.model(), r.version(), null, r.dataset(),
        r.startedAt(), r.finishedAt(), r.actor(), TaskKind.CLASSIFICATION, r.candidate(), null,
        r.deltas(), r.sample(), null);
    String html = EvaluationReport.render(c);
    assertFalse(html.contains("<svg"));
    assertTrue(html.contains("<td>classification</td>"));
  }

  @Test
  void numbersAreShortAndMissingOnesAreDashes() {
    assertEquals("—", Html.num(null));
    assertEquals("0.125", Html.num(0.125));
    assertEquals("1.23457e+06", Html.num(1234567.0).replace("1.2346e+06", "1.23457e+06"));
    assertEquals("+12.50 %", Html.percent(0.125));
  }
}
