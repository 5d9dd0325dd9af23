package io.mlserve.registry;

import io.mlserve.approval.Approval;
import io.mlserve.approval.ApprovalFiles;
import io.mlserve.approval.ApprovalState;
import io.mlserve.approval.Decision;
import io.mlserve.approval.Policy;
import io.mlserve.store.Names;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The Production gate of a model's approval policy: what {@link ModelRegistry#promote} to
 * Production and a rollout's start ask before they change anything. Reads the policy and the
 * version's approval record; writes nothing. Stateless apart from the files it reads;
 * thread-safe.
 */
final class ApprovalGate {
  private final ApprovalFiles files;

  ApprovalGate(ApprovalFiles files) {
    this.files = Objects.requireNonNull(files, "files");
  }

  /**
   * Refuses {@code version} for Production unless the model has no policy or the version's
   * approval is APPROVED, naming its state and what would approve it. Call holding the lock.
   *
   * @throws ApprovalRequiredException when the policy's approval is missing
   */
  void check(String model, String version) {
    Optional<Policy> policy = files.policy(model);
    if (policy.isEmpty()) {
      return;
    }
    Approval a = files.approval(model, version);
    if (a.state() == ApprovalState.APPROVED) {
      return;
    }
    String how = switch (a.state()) {
      case PENDING_APPROVAL -> "approve it with `mlctl approve --model " + model + " --version "
          + version + " --comment ...`";
      case NONE -> "move it to Staging to evaluate it, or approve it with `mlctl approve"
          + " --override --reason ...`";
      default -> "approve it anyway with `mlctl approve --model " + model + " --version "
          + version + " --override --reason ...`";
    };
    throw new ApprovalRequiredException(Names.printable(model) + " " + Names.printable(version)
        + " has no approval, which the model's " + policy.get().mode().wireName()
        + " policy requires for Production: " + describe(a) + "; " + how);
  }

  /** The record's state in words, e.g. {@code its evaluation is pending (state EVALUATING)}. */
  static String describe(Approval a) {
    Decision last = a.lastDecision();
    return switch (a.state()) {
      case NONE -> "it was never evaluated (state NONE)";
      case EVALUATING -> "its evaluation is pending (state EVALUATING)";
      case PENDING_APPROVAL -> "it waits for a decision (state PENDING_APPROVAL, gates "
          + a.verdict() + (a.vetoDeadline() == null ? ""
              : ", approved at " + Instant.ofEpochMilli(a.vetoDeadline()) + " unless rejected")
          + ")";
      case REJECTED -> "it was rejected (state REJECTED" + (last == null ? "" : ", "
          + last.action().wireName() + " by " + last.actor()
          + (last.comment() == null ? "" : ": " + last.comment())) + ")";
      case APPROVED -> "it is approved (state APPROVED)";
    };
  }
}
