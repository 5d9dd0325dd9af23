/**
 * Shadow deployments, transport-free: {@link io.mlserve.server.shadow.Shadows} is the one entry
 * point. After the primary version answered a request, the serving path {@code offer}s the
 * request's inputs and the primary's outputs; a sampled copy goes through a bounded queue to a
 * {@link io.mlserve.server.shadow.ShadowMirror}, whose own low-priority thread runs it on the
 * shadow version (its own batcher) and compares the answers
 * ({@link io.mlserve.server.shadow.Divergence}). The caller never waits for, and never sees, the
 * shadow: its errors and timeouts are counted, a full queue drops the copy and counts it.
 * {@link io.mlserve.server.shadow.ShadowReport} is what reports and {@code /metrics} read.
 */
package io.mlserve.server.shadow;
