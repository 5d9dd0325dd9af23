package io.mlserve.approval;

import java.util.Locale;

/**
 * How a model's versions are approved for Production once their evaluation has a verdict:
 * {@link #AUTOMATIC} (the gates decide and a pass promotes), {@link #MANUAL} (a human decides;
 * the verdict informs), {@link #HYBRID} (a pass is approved when a veto window ends unless
 * someone rejects; a fail is rejected unless someone overrides).
 */
public enum ApprovalMode {
  AUTOMATIC, MANUAL, HYBRID;

  /** The name in policy files and on the wire: {@code "automatic"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The mode named {@code s} (case-insensitive).
   *
   * @throws PolicyException naming the allowed values
   */
  public static ApprovalMode parse(String s) {
    for (ApprovalMode m : values()) {
      if (m.wireName().equalsIgnoreCase(s.strip())) {
        return m;
      }
    }
    throw new PolicyException("mode '" + io.mlserve.store.Names.printable(s)
        + "' is not one of automatic, manual, hybrid");
  }
}
