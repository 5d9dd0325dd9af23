package io.mlserve.approval;

import java.util.Locale;
import java.util.Objects;

/**
 * One decision on a version's approval, kept in order in its record. Immutable.
 *
 * @param action what was decided
 * @param actor who decided (a person, or the evaluator / approval timer for automatic ones)
 * @param comment the comment or reason given (for an override, its reason), or null
 * @param at when (epoch ms)
 */
public record Decision(Action action, String actor, String comment, long at) {
  /** The kinds of decision. */
  public enum Action {
    APPROVE, REJECT, OVERRIDE, AUTO_APPROVE, AUTO_REJECT;

    /** The name in records and events: {@code "auto_approve"}. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The action named {@code s} ({@link #wireName()}). */
    public static Action parse(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }
  }

  public Decision {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(actor, "actor");
  }
}
