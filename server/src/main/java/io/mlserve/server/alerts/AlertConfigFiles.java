package io.mlserve.server.alerts;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mlserve.store.Names;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads an alert rules file ({@code --alert-rules FILE}), YAML or JSON (by the extension
 * {@code .yaml}/{@code .yml}/{@code .json}, else JSON when the text starts with <code>{</code>):
 *
 * <pre>{@code
 * defaults: true            # keep the built-in rules (default); false drops them
 * rules:
 *   - name: HighLatency     # replaces the built-in rule of that name
 *     expr: latency_p95_ms > 150
 *     window: 5m            # default 5m
 *     for: 2m               # default 0s
 *     severity: critical    # default warning
 *     labels: {team: ml}
 *     annotations: {summary: "p95 {{ $value }} ms on {{ $labels.model }}"}
 * webhooks:
 *   - url: http://alertmanager:9093/api/v2/alerts
 *     max_attempts: 5       # default 5
 *     timeout: 5s           # default 5s
 * }</pre>
 *
 * <p>File rules replace built-in rules of the same name and add the others after them. Reading is
 * strict: an unknown or repeated key, a value of the wrong type, a bad duration, expression or
 * URL is refused with an {@link AlertConfigException} naming the file, the rule and the field.
 * At most {@link #MAX_BYTES} bytes and {@link AlertConfig#MAX_RULES} rules. Stateless;
 * thread-safe.
 */
public final class AlertConfigFiles {
  /** The largest rules file read. */
  public static final int MAX_BYTES = 1 << 20;
  static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);
  static final String DEFAULT_SEVERITY = "warning";

  // Strict: a repeated key, or anything after the first value (a second YAML document) is an
  // error rather than silently ignored.
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Set<String> TOP = Set.of("rules", "webhooks", "defaults");
  private static final Set<String> RULE =
      Set.of("name", "expr", "window", "for", "severity", "labels", "annotations");
  private static final Set<String> WEBHOOK = Set.of("url", "max_attempts", "timeout");

  private AlertConfigFiles() {}

  /**
   * Reads {@code file}.
   *
   * @throws AlertConfigException when it cannot be read or breaks a rule; the message starts
   *     with the file's name
   */
  public static AlertConfig load(Path file) {
    String where = "alert rules " + Names.printable(String.valueOf(file.getFileName()));
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new AlertConfigException(where + ": no such file");
    } catch (AccessDeniedException e) {
      throw new AlertConfigException(where + ": permission denied");
    } catch (IOException e) {
      throw new AlertConfigException(where + (Files.isDirectory(file) ? ": is a directory"
          : ": cannot be read"));
    }
    try {
      return parse(bytes, isYaml(file, bytes));
    } catch (AlertConfigException e) {
      throw e.in(where);
    }
  }

  /** Parses a rules document (YAML, or JSON when {@code yaml} is false). */
  static AlertConfig parse(byte[] bytes, boolean yaml) {
    if (bytes.length > MAX_BYTES) {
      throw new AlertConfigException("larger than 1 MiB");
    }
    JsonNode root;
    try {
      root = (yaml ? YAML : JSON).readTree(bytes);
    } catch (JsonProcessingException e) {
      String msg = e.getOriginalMessage().lines().findFirst().orElse("").strip();
      throw new AlertConfigException("not valid " + (yaml ? "YAML" : "JSON") + " (line "
          + e.getLocation().getLineNr() + ": " + Names.printable(msg) + ")");
    } catch (IOException e) {
      throw new AlertConfigException("cannot be parsed");
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new AlertConfigException("is empty; give at least 'rules' or 'defaults'");
    }
    if (!root.isObject()) {
      throw new AlertConfigException("must be a mapping with rules, webhooks, defaults");
    }
    known(root, TOP, "the top level");
    JsonNode defaults = root.get("defaults");
    if (defaults != null && !defaults.isBoolean()) {
      throw new AlertConfigException("defaults must be true or false");
    }
    Map<String, AlertRule> rules = new LinkedHashMap<>();
    if (defaults == null || defaults.booleanValue()) {
      BuiltInRules.all().forEach(r -> rules.put(r.name(), r));
    }
    Set<String> inFile = new TreeSet<>();
    JsonNode list = array(root, "rules");
    if (list.size() > AlertConfig.MAX_RULES) {
      throw new AlertConfigException(list.size() + " rules; at most " + AlertConfig.MAX_RULES);
    }
    for (int i = 0; i < list.size(); i++) {
      AlertRule r = rule(list.get(i), i);
      if (!inFile.add(r.name())) {
        throw new AlertConfigException("rule '" + r.name() + "' is defined twice; rule names"
            + " are unique");
      }
      rules.put(r.name(), r);
    }
    List<WebhookConfig> hooks = new ArrayList<>();
    JsonNode hookList = array(root, "webhooks");
    if (hookList.size() > AlertConfig.MAX_WEBHOOKS) {
      throw new AlertConfigException(hookList.size() + " webhooks; at most "
          + AlertConfig.MAX_WEBHOOKS);
    }
    for (int i = 0; i < hookList.size(); i++) {
      hooks.add(webhook(hookList.get(i), i));
    }
    return new AlertConfig(new ArrayList<>(rules.values()), hooks);
  }

  private static AlertRule rule(JsonNode n, int index) {
    if (!n.isObject()) {
      throw new AlertConfigException("rules[" + index + "] must be a mapping");
    }
    JsonNode nameNode = n.get("name");
    if (nameNode == null || !nameNode.isTextual()) {
      throw new AlertConfigException("rules[" + index + "]: name is required (a string)");
    }
    String name = nameNode.asText();
    String where = "rule '" + Names.printable(name) + "'";
    try {
      known(n, RULE, "the rule");
      String expr = scalar(n, "expr");
      if (expr == null) {
        throw new AlertConfigException("expr is required");
      }
      AlertExpression.parse(expr); // its errors before those of the fields after it
      String window = scalar(n, "window");
      String forText = scalar(n, "for");
      String severity = scalar(n, "severity");
      return new AlertRule(name, expr,
          window == null ? DEFAULT_WINDOW : PromDurations.parse("window", window),
          forText == null ? Duration.ZERO : PromDurations.parse("for", forText),
          severity == null ? DEFAULT_SEVERITY : severity,
          strings(n, "labels"), strings(n, "annotations"));
    } catch (AlertConfigException e) {
      throw e.getMessage().startsWith(where) || e.getMessage().startsWith("rule name")
          ? e : e.in(where);
    }
  }

  private static WebhookConfig webhook(JsonNode n, int index) {
    String where = "webhooks[" + index + "]";
    try {
      if (!n.isObject()) {
        throw new AlertConfigException("must be a mapping with url, max_attempts, timeout");
      }
      known(n, WEBHOOK, "the webhook");
      String url = scalar(n, "url");
      if (url == null) {
        throw new AlertConfigException("url is required");
      }
      JsonNode attempts = n.get("max_attempts");
      if (attempts != null && !attempts.canConvertToExactIntegral()) {
        throw new AlertConfigException("max_attempts must be a whole number");
      }
      String timeout = scalar(n, "timeout");
      return new WebhookConfig(WebhookConfig.parseUrl(url),
          attempts == null ? WebhookConfig.DEFAULT_MAX_ATTEMPTS
              : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE,
                  attempts.asLong())),
          timeout == null ? WebhookConfig.DEFAULT_TIMEOUT
              : PromDurations.parse("timeout", timeout));
    } catch (AlertConfigException e) {
      throw e.in(where);
    }
  }

  private static JsonNode array(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return JSON.createArrayNode();
    }
    if (!v.isArray()) {
      throw new AlertConfigException(field + " must be a list");
    }
    return v;
  }

  /** A scalar field as text (numbers and booleans as written), null when absent. */
  private static String scalar(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      throw new AlertConfigException(field + " must be a single value, not a "
          + (v.isArray() ? "list" : "mapping"));
    }
    return v.asText();
  }

  private static Map<String, String> strings(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return Map.of();
    }
    if (!v.isObject()) {
      throw new AlertConfigException(field + " must be a mapping of names to strings");
    }
    Map<String, String> out = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isValueNode()) {
        throw new AlertConfigException(field + "." + Names.printable(e.getKey())
            + " must be a string");
      }
      out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
    }
    return out;
  }

  private static void known(JsonNode n, Set<String> fields, String where) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!fields.contains(f)) {
        throw new AlertConfigException("unknown key '" + Names.printable(f) + "' in " + where
            + "; allowed: " + String.join(", ", new TreeSet<>(fields)));
      }
    }
  }

  private static boolean isYaml(Path file, byte[] bytes) {
    String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
    if (name.endsWith(".json")) {
      return false;
    }
    if (name.endsWith(".yaml") || name.endsWith(".yml")) {
      return true;
    }
    for (byte b : bytes) {
      if (!Character.isWhitespace(b)) {
        return b != '{';
      }
    }
    return true;
  }
}
