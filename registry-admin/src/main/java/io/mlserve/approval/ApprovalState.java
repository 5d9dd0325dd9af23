package io.mlserve.approval;

/**
 * Where a version is in its approval for Production: {@link #NONE} (never evaluated under a
 * policy), {@link #EVALUATING} (an evaluation was asked for; no verdict yet),
 * {@link #PENDING_APPROVAL} (a verdict is in; a human decides, or in hybrid mode the veto window
 * runs), {@link #APPROVED} (may be promoted to Production), {@link #REJECTED} (stays out of
 * Production unless someone overrides).
 */
public enum ApprovalState {
  NONE, EVALUATING, PENDING_APPROVAL, APPROVED, REJECTED
}
