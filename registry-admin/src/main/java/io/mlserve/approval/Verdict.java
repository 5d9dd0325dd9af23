package io.mlserve.approval;

/** An evaluation's outcome against a policy's gates: every gate passed, or at least one failed. */
public enum Verdict {
  PASSED, FAILED
}
