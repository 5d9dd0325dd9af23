package io.mlserve.server.alerts;

import io.mlserve.server.drift.DriftView;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What the alert runtime needs from the server's wiring: the rules and webhooks, how often to
 * evaluate, the drift figures, the resource readings and the server's base URL (for the webhook
 * bodies). Immutable.
 */
public record AlertSettings(AlertConfig config, Duration interval, DriftView drift,
    ResourceUsage resources, Supplier<String> externalUrl) {
  public AlertSettings {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(drift, "drift");
    Objects.requireNonNull(resources, "resources");
    Objects.requireNonNull(externalUrl, "externalUrl");
  }
}
