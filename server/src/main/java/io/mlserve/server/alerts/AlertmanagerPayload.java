package io.mlserve.server.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlserve.server.json.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The body Alertmanager's webhook receiver posts ({@code webhook_config}, {@code "version":
 * "4"}), built from alert transitions, so receivers written for Alertmanager read it as is:
 * {@code receiver}, {@code status} ({@code firing} when any alert in it fires, else
 * {@code resolved}), {@code alerts[]} (each {@code status}, {@code labels},
 * {@code annotations}, {@code startsAt} and {@code endsAt} in RFC 3339 ({@code endsAt}
 * {@value #NOT_ENDED} while firing), {@code generatorURL}, {@code fingerprint}: Prometheus'
 * FNV-1a label-set fingerprint as 16 hex digits), {@code groupLabels} (empty: one group),
 * {@code commonLabels} and {@code commonAnnotations} (the pairs every alert shares),
 * {@code externalURL}, {@code version}, {@code groupKey} ({@code "{}:{}"}) and
 * {@code truncatedAlerts} (alerts left out beyond {@value #MAX_ALERTS}). Only transitions to
 * FIRING or RESOLVED are notified. Stateless.
 */
public final class AlertmanagerPayload {
  /** The receiver name the body carries. */
  public static final String RECEIVER = "mlserve";
  /** {@code endsAt} of an alert that has not ended (Go's zero time). */
  public static final String NOT_ENDED = "0001-01-01T00:00:00Z";
  /** The most alerts one body carries (Alertmanager's {@code max_alerts}). */
  public static final int MAX_ALERTS = 200;

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private AlertmanagerPayload() {}

  /** Whether a transition is one a webhook is told of (to FIRING or to RESOLVED). */
  public static boolean notified(AlertTransition t) {
    return t.to() == AlertState.FIRING || t.to() == AlertState.RESOLVED;
  }

  /**
   * The body for the notified transitions among {@code transitions}, or null when none is.
   *
   * @param externalUrl this server's base URL ({@code http://host:port}), "" when unknown
   */
  public static byte[] body(List<AlertTransition> transitions, String externalUrl) {
    List<AlertTransition> alerts = new ArrayList<>();
    for (AlertTransition t : transitions) {
      if (notified(t)) {
        alerts.add(t);
      }
    }
    if (alerts.isEmpty()) {
      return null;
    }
    int truncated = Math.max(0, alerts.size() - MAX_ALERTS);
    List<AlertTransition> sent = alerts.subList(0, alerts.size() - truncated);
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("receiver", RECEIVER);
    boolean firing = alerts.stream().anyMatch(t -> t.to() == AlertState.FIRING);
    root.put("status", firing ? "firing" : "resolved");
    var array = root.putArray("alerts");
    for (AlertTransition t : sent) {
      ObjectNode a = array.addObject();
      a.put("status", t.to() == AlertState.FIRING ? "firing" : "resolved");
      a.set("labels", Json.MAPPER.valueToTree(new TreeMap<>(t.labels())));
      a.set("annotations", Json.MAPPER.valueToTree(new TreeMap<>(t.annotations())));
      a.put("startsAt", rfc3339(t.activeSinceMillis()));
      a.put("endsAt", t.to() == AlertState.RESOLVED ? rfc3339(t.atMillis()) : NOT_ENDED);
      a.put("generatorURL", generatorUrl(externalUrl, t.scope()));
      a.put("fingerprint", fingerprint(t.labels()));
    }
    root.putObject("groupLabels");
    root.set("commonLabels", Json.MAPPER.valueToTree(common(sent, true)));
    root.set("commonAnnotations", Json.MAPPER.valueToTree(common(sent, false)));
    root.put("externalURL", externalUrl);
    root.put("version", "4");
    root.put("groupKey", "{}:{}");
    root.put("truncatedAlerts", truncated);
    try {
      return Json.MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode an alert notification", e);
    }
  }

  /** An instant as RFC 3339 in UTC (milliseconds when not whole seconds). */
  static String rfc3339(long epochMillis) {
    return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(epochMillis));
  }

  /** Where the alert can be seen: this server's alert list, for the model when it has one. */
  static String generatorUrl(String externalUrl, Scope scope) {
    String base = externalUrl + "/api/v1/alerts";
    return scope.isProcess() ? base
        : base + "?model=" + URLEncoder.encode(scope.model(), StandardCharsets.UTF_8);
  }

  /**
   * Prometheus' fingerprint of a label set ({@code model.LabelSet.Fingerprint}): FNV-1a 64 over
   * each name and value in name order, each followed by the byte 0xff; 16 lower-case hex digits.
   */
  static String fingerprint(Map<String, String> labels) {
    long h = FNV_OFFSET;
    for (Map.Entry<String, String> l : new TreeMap<>(labels).entrySet()) {
      h = add(h, l.getKey().getBytes(StandardCharsets.UTF_8));
      h = add(h, new byte[] {(byte) 0xff});
      h = add(h, l.getValue().getBytes(StandardCharsets.UTF_8));
      h = add(h, new byte[] {(byte) 0xff});
    }
    return String.format("%016x", h);
  }

  private static long add(long h, byte[] bytes) {
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= FNV_PRIME;
    }
    return h;
  }

  private static Map<String, String> common(List<AlertTransition> alerts, boolean labels) {
    Map<String, String> common = null;
    for (AlertTransition t : alerts) {
      Map<String, String> m = labels ? t.labels() : t.annotations();
      if (common == null) {
        common = new HashMap<>(m);
      } else {
        common.entrySet().removeIf(e -> !e.getValue().equals(m.get(e.getKey())));
      }
    }
    return common == null ? Map.of() : new TreeMap<>(common);
  }
}
