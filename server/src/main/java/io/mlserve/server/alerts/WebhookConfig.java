package io.mlserve.server.alerts;

import io.mlserve.store.Names;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Where alert notifications are posted (Alertmanager's webhook JSON): an {@code http} or
 * {@code https} URL with a host, how many attempts one notification gets (1 to 10), and the
 * timeout of one attempt (100ms to 60s). Immutable; thread-safe.
 */
public record WebhookConfig(URI url, int maxAttempts, Duration timeout) {
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final int MAX_ATTEMPTS = 10;
  public static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration MIN_TIMEOUT = Duration.ofMillis(100);

  public WebhookConfig {
    if (url == null) {
      throw new AlertConfigException("webhook url is required");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new AlertConfigException("webhook url '" + shown(url)
          + "': the scheme must be http or https");
    }
    if (url.getHost() == null || url.getHost().isEmpty()) {
      throw new AlertConfigException("webhook url '" + shown(url)
          + "': no host");
    }
    if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS) {
      throw new AlertConfigException("webhook url '" + shown(url)
          + "': max_attempts must be from 1 to " + MAX_ATTEMPTS + ", not " + maxAttempts);
    }
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.compareTo(MIN_TIMEOUT) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
      throw new AlertConfigException("webhook url '" + shown(url)
          + "': timeout must be from 100ms to 60s, not "
          + (timeout.isNegative() ? "negative" : PromDurations.format(timeout)));
    }
  }

  /** The URL for messages and logs: user information (a password) replaced by {@code ***}. */
  public static String shown(URI url) {
    String s = url.toString();
    if (url.getRawUserInfo() != null) {
      s = s.replace(url.getRawUserInfo() + "@", "***@");
    }
    return Names.printable(s);
  }

  /** A webhook with the default attempts and timeout. */
  public static WebhookConfig of(URI url) {
    return new WebhookConfig(url, DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT);
  }

  /**
   * Parses a URL as a user gives it (a flag or a rules file).
   *
   * @throws AlertConfigException when it is not a URL or not http(s)
   */
  public static URI parseUrl(String text) {
    try {
      return new URI(Objects.requireNonNull(text, "text").strip());
    } catch (java.net.URISyntaxException e) {
      throw new AlertConfigException("webhook url '" + Names.printable(text)
          + "' is not a valid URL (" + e.getReason() + ")");
    }
  }
}
