package io.mlserve.server.alerts;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What the alert runtime needs from the server's wiring: the rules and webhooks, how often to
 * evaluate, the resource readings and the server's base URL (for the webhook bodies); the drift
 * figures come from the server's own drift monitor. Immutable.
 */
public record AlertSettings(AlertConfig config, Duration interval, ResourceUsage resources,
    Supplier<String> externalUrl) {
  public AlertSettings {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(resources, "resources");
    Objects.requireNonNull(externalUrl, "externalUrl");
  }
}
