package io.mlserve.registry;

import io.mlserve.store.HistoryEntry;

import io.mlserve.store.Stage;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The lifecycle rules for moving a version between stages. Promotion targets are Staging and
 * Production; a version may be promoted from Development, Staging (to Production only) or
 * Deprecated, never from Archived, and never to the stage it is already in. Stateless.
 */
final class StageTransitions {
  /**
   * Every legal move, by the operation that makes it: promote (to Staging/Production), deprecate,
   * archive, restore (Archived back to Deprecated). Rollback and a newer promotion also move
   * Production to Deprecated and Staging to Development, as side effects.
   */
  private static final Map<Stage, Set<Stage>> ALLOWED = new EnumMap<>(Map.of(
      Stage.DEVELOPMENT, EnumSet.of(Stage.STAGING, Stage.PRODUCTION, Stage.DEPRECATED,
          Stage.ARCHIVED),
      Stage.STAGING, EnumSet.of(Stage.PRODUCTION, Stage.DEPRECATED),
      Stage.PRODUCTION, EnumSet.of(Stage.DEPRECATED),
      Stage.DEPRECATED, EnumSet.of(Stage.STAGING, Stage.PRODUCTION, Stage.ARCHIVED),
      Stage.ARCHIVED, EnumSet.of(Stage.DEPRECATED)));

  private StageTransitions() {}

  /** The stages a version in {@code from} may move to. */
  static Set<Stage> allowedFrom(Stage from) {
    return ALLOWED.get(from);
  }

  /**
   * Throws {@link InvalidRequestException} unless {@code from -> to} is legal; the message names
   * the moves that are allowed from {@code from}.
   */
  static void check(String label, Stage from, Stage to) {
    if (from == to) {
      throw new IllegalTransitionException(label + " is already " + to.displayName());
    }
    if (!ALLOWED.get(from).contains(to)) {
      throw new IllegalTransitionException("illegal transition for " + label + ": "
          + from.displayName() + " -> " + to.displayName() + "; allowed from "
          + from.displayName() + ": " + ALLOWED.get(from).stream().map(Stage::displayName)
              .collect(Collectors.joining(", ")));
    }
  }

  /** Throws {@link InvalidRequestException} unless {@code from -> to} is a legal promotion. */
  static void checkPromotion(String label, Stage from, Stage to) {
    if (!to.hasPointer()) {
      throw new IllegalTransitionException("cannot promote " + label + " to " + to.displayName()
          + "; allowed targets: " + Stage.STAGING.displayName() + ", "
          + Stage.PRODUCTION.displayName());
    }
    if (from == to) {
      throw new IllegalTransitionException(label + " is already in " + to.displayName());
    }
    if (from == Stage.ARCHIVED) {
      throw new IllegalTransitionException(label + " is Archived and cannot be promoted");
    }
    if (from == Stage.PRODUCTION) {
      throw new IllegalTransitionException(label + " is in Production and cannot move to "
          + to.displayName() + "; promote another version to Production instead");
    }
  }

  /** The history line of the version that {@code by} displaced from {@code stage}. */
  static HistoryEntry displaced(long now, String model, String previous, Stage stage,
      String by, String actor) {
    return stage == Stage.PRODUCTION
        ? HistoryEntry.of(now, model, previous, Stage.PRODUCTION, Stage.DEPRECATED, actor,
            "superseded in Production by " + by)
        : HistoryEntry.of(now, model, previous, Stage.STAGING, Stage.DEVELOPMENT, actor,
            "replaced in Staging by " + by);
  }
}
