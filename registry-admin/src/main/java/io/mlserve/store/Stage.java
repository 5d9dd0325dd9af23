package io.mlserve.store;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The lifecycle stages of a model version. Only {@link #STAGING} and {@link #PRODUCTION} are
 * held by a pointer (a symlink in the model directory); at most one version is in each.
 */
public enum Stage {
  DEVELOPMENT("Development"),
  STAGING("Staging"),
  PRODUCTION("Production"),
  DEPRECATED("Deprecated"),
  ARCHIVED("Archived");

  private final String displayName;

  Stage(String displayName) {
    this.displayName = displayName;
  }

  /** The name used on disk, in events and in messages: {@code "Production"}. */
  public String displayName() {
    return displayName;
  }

  /** Whether the stage is held by a pointer symlink ({@link #STAGING}, {@link #PRODUCTION}). */
  public boolean hasPointer() {
    return this == STAGING || this == PRODUCTION;
  }

  /** The pointer's file name in the model directory ({@code "production"}). */
  String pointerName() {
    if (!hasPointer()) {
      throw new IllegalArgumentException(displayName + " has no stage pointer");
    }
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a stage name, case-insensitively ({@code "production"}, {@code "Production"}).
   *
   * @throws IllegalArgumentException naming the allowed values
   */
  public static Stage parse(String s) {
    Objects.requireNonNull(s, "s");
    for (Stage stage : values()) {
      if (stage.displayName.equalsIgnoreCase(s.trim())) {
        return stage;
      }
    }
    throw new IllegalArgumentException("unknown stage '" + Names.printable(s) + "'; allowed: "
        + Arrays.stream(values()).map(Stage::displayName).collect(Collectors.joining(", ")));
  }
}
