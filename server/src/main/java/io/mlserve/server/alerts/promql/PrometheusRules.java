package io.mlserve.server.alerts.promql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.mlserve.server.alerts.AlertConfig;
import io.mlserve.server.alerts.AlertRule;
import io.mlserve.server.alerts.PromDurations;
import java.util.List;

/**
 * The alert rules as a Prometheus rules file, one group {@value #GROUP}:
 *
 * <pre>{@code
 * groups:
 * - name: mlserve
 *   rules:
 *   - alert: HighLatency
 *     expr: histogram_quantile(0.95, ...) * 1000 > 200
 *     for: 1m
 *     labels: {severity: warning}
 *     annotations: {summary: ..., description: ...}
 * }</pre>
 *
 * <p>Expressions come from {@link PromQl}; labels are the rule's plus {@code severity}
 * ({@code alertname}, {@code model} and {@code version} come from Prometheus and the series);
 * annotations are the rule's, whose templates are Prometheus' own syntax. The output is the same
 * for the same rules (keys in a fixed order). Stateless; thread-safe.
 */
public final class PrometheusRules {
  /** The name of the rule group. */
  public static final String GROUP = "mlserve";

  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .disable(YAMLGenerator.Feature.SPLIT_LINES)
      .build());

  private PrometheusRules() {}

  /** The rules file for {@code rules}, with a comment line saying where it came from. */
  public static String render(List<AlertRule> rules) {
    ObjectNode root = YAML.createObjectNode();
    ObjectNode group = root.putArray("groups").addObject();
    group.put("name", GROUP);
    ArrayNode out = group.putArray("rules");
    for (AlertRule r : rules) {
      ObjectNode o = out.addObject();
      o.put("alert", r.name());
      o.put("expr", PromQl.expr(r.expression(), r.window()));
      o.put("for", PromDurations.format(r.forDuration()));
      ObjectNode labels = o.putObject("labels");
      labels.put("severity", r.severity());
      r.labels().forEach(labels::put);
      ObjectNode annotations = o.putObject("annotations");
      r.annotations().forEach(annotations::put);
    }
    try {
      return "# Prometheus alerting rules written by `mlserve alerts export`: the rules the"
          + " server evaluates itself,\n# over the metrics it exports (docs/monitoring-rules.md)."
          + "\n" + YAML.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the rules as YAML", e);
    }
  }

  /** As {@link #render(List)}, for a configuration's rules. */
  public static String render(AlertConfig config) {
    return render(config.rules());
  }
}
