package io.mlserve.server.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mlserve.server.testing.DemoModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The repository's {@code deploy/} directory (Prometheus and Grafana files), parsed: every file
 * as JSON or YAML (strictly: a duplicate key or trailing content is an error), and the PromQL a
 * Grafana dashboard runs, from its panels' targets (rows' nested panels included) and its query
 * variables. Stateless; thread-safe.
 */
public final class DeployFiles {
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  private static final ObjectMapper YAML = YAMLMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  /** One PromQL expression or variable query of a dashboard, and where it is. */
  public record Query(String where, String text, boolean variable) {
    /** The metric names it reads. */
    public Set<String> metricNames() {
      return variable ? PromQlMetricNames.ofVariableQuery(text) : PromQlMetricNames.of(text);
    }
  }

  private DeployFiles() {}

  /** {@code deploy/} in the repository. */
  public static Path root() {
    return DemoModel.repoRoot().resolve("deploy");
  }

  /**
   * Every regular file under {@code root}, parsed, by path relative to {@code root}.
   *
   * @throws IllegalArgumentException for a file that is neither {@code .json} nor
   *     {@code .yml}/{@code .yaml} (nor a {@code .sh} script, which is skipped), naming it
   * @throws IOException for a file that does not parse, naming it
   */
  public static Map<String, JsonNode> parseAll(Path root) throws IOException {
    Map<String, JsonNode> out = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    for (Path f : files) {
      String name = root.relativize(f).toString();
      ObjectMapper mapper;
      if (name.endsWith(".json")) {
        mapper = JSON;
      } else if (name.endsWith(".yml") || name.endsWith(".yaml")) {
        mapper = YAML;
      } else if (name.endsWith(".sh")) {
        continue; // deploy/local's scripts: run by hand, checked by their own runs
      } else {
        throw new IllegalArgumentException("deploy/" + name + " is neither JSON nor YAML");
      }
      try {
        JsonNode tree = mapper.readTree(f.toFile());
        if (tree == null || tree.isMissingNode() || !tree.isObject()) {
          throw new IOException("not a JSON/YAML object");
        }
        out.put(name, tree);
      } catch (IOException e) {
        throw new IOException("deploy/" + name + " does not parse: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** The parsed Grafana dashboards: the JSON files under {@code grafana/dashboards/}. */
  public static Map<String, JsonNode> dashboards(Map<String, JsonNode> parsed) {
    Map<String, JsonNode> out = new TreeMap<>();
    parsed.forEach((name, tree) -> {
      if (name.startsWith("grafana/dashboards/") && name.endsWith(".json")) {
        out.put(name, tree);
      }
    });
    return out;
  }

  /** Every panel of {@code dashboard}, rows' nested panels included, rows themselves too. */
  public static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      out.add(p);
      p.path("panels").forEach(out::add);
    }
    return out;
  }

  /** The PromQL of {@code dashboard}'s panel targets and query variables. */
  public static List<Query> queries(String file, JsonNode dashboard) {
    List<Query> out = new ArrayList<>();
    for (JsonNode p : panels(dashboard)) {
      for (JsonNode t : p.path("targets")) {
        out.add(new Query(file + " panel \"" + p.path("title").asText() + "\" target "
            + t.path("refId").asText(), t.path("expr").asText(""), false));
      }
    }
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (v.path("type").asText().equals("query")) {
        JsonNode q = v.path("query");
        out.add(new Query(file + " variable $" + v.path("name").asText(),
            q.isObject() ? q.path("query").asText("") : q.asText(""), true));
      }
    }
    return out;
  }

  /** The metric names {@code queries} read, sorted. */
  public static Set<String> metricNames(List<Query> queries) {
    Set<String> out = new TreeSet<>();
    queries.forEach(q -> out.addAll(q.metricNames()));
    return out;
  }
}
