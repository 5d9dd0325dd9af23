package io.mlserve.registry;

import io.mlserve.store.Stage;

/**
 * The lifecycle rules for moving a version between stages. Promotion targets are Staging and
 * Production; a version may be promoted from Development, Staging (to Production only) or
 * Deprecated, never from Archived, and never to the stage it is already in. Stateless.
 */
final class StageTransitions {
  private StageTransitions() {}

  /** Throws {@link InvalidRequestException} unless {@code from -> to} is a legal promotion. */
  static void checkPromotion(String label, Stage from, Stage to) {
    if (!to.hasPointer()) {
      throw new InvalidRequestException("cannot promote " + label + " to " + to.displayName()
          + "; allowed targets: " + Stage.STAGING.displayName() + ", "
          + Stage.PRODUCTION.displayName());
    }
    if (from == to) {
      throw new InvalidRequestException(label + " is already in " + to.displayName());
    }
    if (from == Stage.ARCHIVED) {
      throw new InvalidRequestException(label + " is Archived and cannot be promoted");
    }
    if (from == Stage.PRODUCTION) {
      throw new InvalidRequestException(label + " is in Production and cannot move to "
          + to.displayName() + "; promote another version to Production instead");
    }
  }
}
