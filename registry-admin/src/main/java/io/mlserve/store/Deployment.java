package io.mlserve.store;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A model's deployment record, {@code <store>/<model>/deployment.json}: which versions take its
 * unversioned traffic. Changed only through the registry; every change is announced by an event
 * whose seq the record carries.
 *
 * <p>{@code otherSections} holds the record's top-level sections this class does not model
 * (fields of a newer writer); they are kept as they are when the split is rewritten, and so
 * are the {@code rollout} and the {@code shadow}. Immutable: the sections are
 * copied in and out.
 *
 * @param model the model
 * @param split the traffic split, or null when unversioned traffic follows the stage pointers
 * @param seq the seq of the event that made this change
 * @param actor who made it
 * @param reason why (may be null)
 * @param updatedAt when, epoch milliseconds
 * @param otherSections further top-level sections, kept on rewrite (never null)
 * @param rollout the canary rollout (running or finished), or null if the model never had one
 * @param shadow the shadow version and its settings, or null when none runs
 */
public record Deployment(String model, TrafficSplit split, long seq, String actor, String reason,
    long updatedAt, ObjectNode otherSections, Rollout rollout, Shadow shadow) {

  public Deployment {
    Objects.requireNonNull(model, "model");
    otherSections = otherSections == null ? JsonNodeFactory.instance.objectNode()
        : otherSections.deepCopy();
  }

  /** A record with no rollout and no shadow section. */
  public Deployment(String model, TrafficSplit split, long seq, String actor, String reason,
      long updatedAt, ObjectNode otherSections) {
    this(model, split, seq, actor, reason, updatedAt, otherSections, null, null);
  }

  /** A record with no shadow section. */
  public Deployment(String model, TrafficSplit split, long seq, String actor, String reason,
      long updatedAt, ObjectNode otherSections, Rollout rollout) {
    this(model, split, seq, actor, reason, updatedAt, otherSections, rollout, null);
  }

  @Override
  public ObjectNode otherSections() {
    return otherSections.deepCopy();
  }

  /** This record with a new split (null: none) and the change that set it. */
  public Deployment withSplit(TrafficSplit newSplit, long newSeq, String newActor,
      String newReason, long newUpdatedAt) {
    return new Deployment(model, newSplit, newSeq, newActor, newReason, newUpdatedAt,
        otherSections, rollout, shadow);
  }

  /** This record with a new shadow (null: none) and the change that set it. */
  public Deployment withShadow(Shadow newShadow, long newSeq, String newActor, String newReason,
      long newUpdatedAt) {
    return new Deployment(model, split, newSeq, newActor, newReason, newUpdatedAt,
        otherSections, rollout, newShadow);
  }

  /** This record with a new split (null: none) and rollout, and the change that set them. */
  public Deployment withRollout(TrafficSplit newSplit, Rollout newRollout, long newSeq,
      String newActor, String newReason, long newUpdatedAt) {
    return new Deployment(model, newSplit, newSeq, newActor, newReason, newUpdatedAt,
        otherSections, newRollout, shadow);
  }

  /** Whether a rollout owns the split (running, paused or waiting for a resume). */
  public boolean hasActiveRollout() {
    return rollout != null && rollout.state().isActive();
  }

  /** The record of a model that has none yet. */
  public static Deployment none(String model) {
    return new Deployment(model, null, 0, null, null, 0, null);
  }
}
