package io.mlserve.server.alerts;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The alert rules the server evaluates and the webhooks it notifies. Rule names are unique;
 * at most {@link #MAX_RULES} rules and {@link #MAX_WEBHOOKS} webhooks. Immutable; thread-safe.
 */
public record AlertConfig(List<AlertRule> rules, List<WebhookConfig> webhooks) {
  public static final int MAX_RULES = 500;
  public static final int MAX_WEBHOOKS = 16;

  public AlertConfig {
    rules = List.copyOf(Objects.requireNonNull(rules, "rules"));
    webhooks = List.copyOf(Objects.requireNonNull(webhooks, "webhooks"));
    if (rules.size() > MAX_RULES) {
      throw new AlertConfigException(rules.size() + " rules; at most " + MAX_RULES);
    }
    if (webhooks.size() > MAX_WEBHOOKS) {
      throw new AlertConfigException(webhooks.size() + " webhooks; at most " + MAX_WEBHOOKS);
    }
    Set<String> names = new HashSet<>();
    for (AlertRule r : rules) {
      if (!names.add(r.name())) {
        throw new AlertConfigException("rule '" + r.name() + "' is defined twice; rule names"
            + " are unique");
      }
    }
  }

  /** The seed's four rules ({@link BuiltInRules}), no webhooks. */
  public static AlertConfig defaults() {
    return new AlertConfig(BuiltInRules.all(), List.of());
  }

  /** This configuration with {@code more} webhooks added (e.g. from a flag). */
  public AlertConfig withWebhooks(List<WebhookConfig> more) {
    return new AlertConfig(rules,
        java.util.stream.Stream.concat(webhooks.stream(), more.stream()).toList());
  }
}
