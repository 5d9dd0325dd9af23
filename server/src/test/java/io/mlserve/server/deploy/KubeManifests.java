package io.mlserve.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kubernetes files under {@code deploy/k8s/}: the base's resources as its
 * {@code kustomization.yaml} lists them, looked up by kind, and the metric names the autoscalers
 * read (the HPA's per-pod metric, the Prometheus Adapter's series queries, KEDA's PromQL).
 * Immutable; thread-safe.
 */
public final class KubeManifests {
  private static final Pattern METRIC = Pattern.compile("\\b(mlserve_[a-z0-9_]+)\\b");

  private final Map<String, JsonNode> files;
  private final List<JsonNode> base = new ArrayList<>();

  KubeManifests(Map<String, JsonNode> deployFiles) {
    this.files = deployFiles;
    JsonNode kustomization = require("k8s/base/kustomization.yaml");
    for (JsonNode r : kustomization.path("resources")) {
      base.add(require("k8s/base/" + r.asText()));
    }
  }

  public static KubeManifests load() throws IOException {
    return new KubeManifests(DeployFiles.parseAll(DeployFiles.root()));
  }

  JsonNode require(String file) {
    JsonNode n = files.get(file);
    if (n == null) {
      throw new IllegalStateException("deploy/" + file + " is missing");
    }
    return n;
  }

  List<JsonNode> base() {
    return base;
  }

  /** The base's one resource of {@code kind} and {@code name}. */
  JsonNode resource(String kind, String name) {
    for (JsonNode r : base) {
      if (r.path("kind").asText().equals(kind)
          && r.path("metadata").path("name").asText().equals(name)) {
        return r;
      }
    }
    throw new IllegalStateException("deploy/k8s/base has no " + kind + " " + name);
  }

  /** Every resource of the base of {@code kind}. */
  List<JsonNode> all(String kind) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode r : base) {
      if (r.path("kind").asText().equals(kind)) {
        out.add(r);
      }
    }
    return out;
  }

  /** The metric names the HPA, the Prometheus Adapter rules and the KEDA trigger read. */
  public Set<String> autoscalingMetrics() {
    Set<String> out = new LinkedHashSet<>();
    for (JsonNode m : resource("HorizontalPodAutoscaler", "mlserve").path("spec").path("metrics")) {
      out.add(m.path("pods").path("metric").path("name").asText());
    }
    for (JsonNode rule : require("k8s/prometheus-adapter/rules.yaml").path("rules")
        .path("custom")) {
      addMetrics(rule.path("seriesQuery").asText(), out);
    }
    for (JsonNode t : require("k8s/overlays/keda/scaledobject.yaml").path("spec")
        .path("triggers")) {
      addMetrics(t.path("metadata").path("query").asText(), out);
    }
    return out;
  }

  private static void addMetrics(String text, Set<String> out) {
    Matcher m = METRIC.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
  }
}
