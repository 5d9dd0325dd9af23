/**
 * The server's side of the approval workflow: a version that reaches Staging under a policy is
 * evaluated on the policy's datasets against Production, and the verdict decides (or waits for
 * a person) through the registry's {@code ApprovalChanges}.
 */
package io.mlserve.server.approval;
