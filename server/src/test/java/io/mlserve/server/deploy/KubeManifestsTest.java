package io.mlserve.server.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.server.cli.Main;
import io.mlserve.server.testing.DemoModel;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * What can be checked of {@code deploy/k8s/} without a cluster: the base fits the server (its
 * ports, probes, flags, store mount), the image (user, writable HOME) and itself (Services,
 * ServiceMonitor, PDB and autoscalers select what exists; the grace period covers the preStop
 * and the server's drain), and {@code kubectl kustomize} builds the base and the KEDA overlay
 * where kubectl is installed (it is not a Debian package: elsewhere that one check is skipped
 * with a WARNING line). That the autoscalers' metrics are exported is checked against a live
 * scrape by {@code e2e.GrafanaDashboardIT}.
 */
class KubeManifestsTest {
  private final KubeManifests k8s;

  KubeManifestsTest() throws Exception {
    k8s = KubeManifests.load();
  }

  private JsonNode container() {
    JsonNode c = k8s.resource("Deployment", "mlserve").at("/spec/template/spec/containers/0");
    assertEquals("mlserve", c.path("name").asText());
    return c;
  }

  private Map<String, Integer> containerPorts() {
    Map<String, Integer> ports = new HashMap<>();
    container().path("ports").forEach(p -> ports.put(p.path("name").asText(),
        p.path("containerPort").asInt()));
    return ports;
  }

  private List<String> args() {
    List<String> args = new ArrayList<>();
    container().path("args").forEach(a -> args.add(a.asText()));
    return args;
  }

  private String flag(String name) {
    List<String> args = args();
    int i = args.indexOf(name);
    assertTrue(i >= 0 && i + 1 < args.size(), "args lack " + name + ": " + args);
    return args.get(i + 1);
  }

  @Test
  void argsAreFlagsTheServerAcceptsAndPortsAreTheOnesItOpens() {
    List<String> args = args();
    assertEquals("serve", args.get(0));
    // The same picocli parse `mlserve serve` runs: an unknown or malformed flag fails here.
    CommandLine.ParseResult parsed =
        new CommandLine(new Main()).parseArgs(args.toArray(String[]::new));
    assertEquals("serve", parsed.subcommand().commandSpec().name());
    Map<String, Integer> ports = containerPorts();
    assertEquals(Integer.valueOf(flag("--grpc-port")), ports.get("grpc"));
    assertEquals(Integer.valueOf(flag("--http-port")), ports.get("http"));
  }

  @Test
  void probesAskTheServerWhatItAnswers() {
    JsonNode c = container();
    int grpc = containerPorts().get("grpc");
    for (String probe : List.of("startupProbe", "readinessProbe")) {
      assertEquals(grpc, c.path(probe).path("grpc").path("port").asInt(),
          probe + " must be the gRPC health probe (grpc.health.v1, service \"\")");
    }
    JsonNode live = c.path("livenessProbe").path("httpGet");
    assertEquals("/healthz", live.path("path").asText());
    assertTrue(containerPorts().containsKey(live.path("port").asText()), live.toString());
    JsonNode startup = c.path("startupProbe");
    long startupBudget = startup.path("periodSeconds").asLong()
        * startup.path("failureThreshold").asLong();
    assertTrue(startupBudget >= 120, "startup probe allows only " + startupBudget + " s");
  }

  @Test
  void gracePeriodCoversPreStopAndTheServersDrain() {
    JsonNode spec = k8s.resource("Deployment", "mlserve").at("/spec/template/spec");
    JsonNode preStop = container().at("/lifecycle/preStop/exec/command");
    assertEquals("sleep", preStop.path(0).asText());
    long sleep = Long.parseLong(preStop.path(1).asText());
    long drain = Long.parseLong(flag("--shutdown-grace-seconds"));
    assertTrue(sleep >= 2 * k8s.resource("Deployment", "mlserve")
        .at("/spec/template/spec/containers/0/readinessProbe/periodSeconds").asLong(),
        "preStop must outlast a readiness period or two, so endpoints drop the pod first");
    assertTrue(spec.path("terminationGracePeriodSeconds").asLong() > sleep + drain,
        "terminationGracePeriodSeconds must exceed preStop " + sleep + " s + drain " + drain + " s");
  }

  @Test
  void runsAsTheImagesNonRootUserWithAWritableHomeAndTheStoreMounted() throws Exception {
    String dockerfile = Files.readString(DemoModel.repoRoot().resolve("Dockerfile"));
    Matcher uid = Pattern.compile("useradd [^\\n]*--uid (\\d+)").matcher(dockerfile);
    assertTrue(uid.find(), "Dockerfile creates no user with --uid");
    JsonNode pod = k8s.resource("Deployment", "mlserve").at("/spec/template/spec/securityContext");
    assertTrue(pod.path("runAsNonRoot").asBoolean());
    assertEquals(Integer.parseInt(uid.group(1)), pod.path("runAsUser").asInt());
    JsonNode sc = container().path("securityContext");
    assertFalse(sc.path("allowPrivilegeEscalation").asBoolean(true));
    assertTrue(sc.path("readOnlyRootFilesystem").asBoolean());
    Map<String, String> mounts = new HashMap<>();
    container().path("volumeMounts").forEach(m -> mounts.put(m.path("mountPath").asText(),
        m.path("name").asText()));
    Matcher home = Pattern.compile("HOME=(\\S+)").matcher(dockerfile);
    assertTrue(home.find());
    assertNotNull(mounts.get(home.group(1)), "HOME " + home.group(1) + " must be writable");
    String store = mounts.get(flag("--store"));
    assertNotNull(store, "--store " + flag("--store") + " is not mounted");
    JsonNode volume = null;
    for (JsonNode v : k8s.resource("Deployment", "mlserve").at("/spec/template/spec/volumes")) {
      if (v.path("name").asText().equals(store)) {
        volume = v;
      }
    }
    assertNotNull(volume);
    String claim = volume.path("persistentVolumeClaim").path("claimName").asText();
    JsonNode pvc = k8s.resource("PersistentVolumeClaim", claim);
    assertEquals("ReadWriteMany", pvc.at("/spec/accessModes/0").asText(),
        "replicas share one store");
  }

  @Test
  void servicesMonitorPdbAndAutoscalersSelectWhatExists() {
    JsonNode deployment = k8s.resource("Deployment", "mlserve");
    JsonNode podLabels = deployment.at("/spec/template/metadata/labels");
    assertEquals(deployment.at("/spec/selector/matchLabels"), podLabels);
    for (JsonNode svc : k8s.all("Service")) {
      String name = svc.at("/metadata/name").asText();
      assertTrue(matches(svc.at("/spec/selector"), podLabels), name + " selects no pod");
      for (JsonNode p : svc.at("/spec/ports")) {
        assertTrue(containerPorts().containsKey(p.path("targetPort").asText()),
            name + " targets port " + p.path("targetPort"));
      }
    }
    assertTrue(matches(k8s.resource("PodDisruptionBudget", "mlserve")
        .at("/spec/selector/matchLabels"), podLabels));
    JsonNode monitor = k8s.resource("ServiceMonitor", "mlserve");
    JsonNode http = k8s.resource("Service", "mlserve-http");
    // kustomize adds app.kubernetes.io/name to every resource's labels.
    JsonNode selector = monitor.at("/spec/selector/matchLabels");
    selector.fields().forEachRemaining(e -> {
      if (!e.getKey().equals("app.kubernetes.io/name")) {
        assertEquals(e.getValue(), http.at("/metadata/labels").path(e.getKey()),
            "ServiceMonitor selector " + e.getKey());
      }
    });
    assertEquals("http", monitor.at("/spec/endpoints/0/port").asText());
    assertEquals("/metrics", monitor.at("/spec/endpoints/0/path").asText());
    JsonNode hpa = k8s.resource("HorizontalPodAutoscaler", "mlserve");
    assertEquals("Deployment", hpa.at("/spec/scaleTargetRef/kind").asText());
    assertEquals("mlserve", hpa.at("/spec/scaleTargetRef/name").asText());
    JsonNode keda = k8s.require("k8s/overlays/keda/scaledobject.yaml");
    assertEquals("mlserve", keda.at("/spec/scaleTargetRef/name").asText());
    assertTrue(k8s.autoscalingMetrics().contains("mlserve_requests_in_flight"),
        k8s.autoscalingMetrics().toString());
  }

  @Test
  void kubectlKustomizeBuildsTheBaseAndTheKedaOverlay() throws Exception {
    Path kubectl = null;
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, "kubectl");
      if (!dir.isEmpty() && Files.isExecutable(p)) {
        kubectl = p;
        break;
      }
    }
    if (kubectl == null) {
      System.err.println("WARNING: KubeManifestsTest: kubectl not found on PATH; `kubectl "
          + "kustomize deploy/k8s/...` is SKIPPED (the other checks of deploy/k8s ran)");
      org.junit.jupiter.api.Assumptions.abort("kubectl not installed");
    }
    String base = kustomize(kubectl, "base");
    for (String kind : List.of("Deployment", "HorizontalPodAutoscaler", "ServiceMonitor",
        "PodDisruptionBudget", "PersistentVolumeClaim")) {
      assertTrue(base.contains("\nkind: " + kind + "\n"), kind + " missing:\n" + base);
    }
    String keda = kustomize(kubectl, "overlays/keda");
    assertTrue(keda.contains("\nkind: ScaledObject\n"), keda);
    assertFalse(keda.contains("kind: HorizontalPodAutoscaler"),
        "the KEDA overlay must drop the base's HPA (KEDA makes its own)");
  }

  private static String kustomize(Path kubectl, String dir) throws Exception {
    Process p = new ProcessBuilder(kubectl.toString(), "kustomize",
        DeployFiles.root().resolve("k8s").resolve(dir).toString())
        .redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize did not finish");
    assertEquals(0, p.exitValue(), "kubectl kustomize " + dir + ": " + out);
    return "\n" + out;
  }

  private static boolean matches(JsonNode selector, JsonNode labels) {
    if (selector.isMissingNode() || selector.isEmpty()) {
      return false;
    }
    var it = selector.fields();
    while (it.hasNext()) {
      var e = it.next();
      if (!e.getValue().equals(labels.path(e.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
