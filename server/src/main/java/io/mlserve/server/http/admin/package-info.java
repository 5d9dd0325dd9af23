/**
 * The REST admin API under {@code /api/v1/models} (models, versions, stages, runs) and
 * {@code /api/v1/events}: {@link io.mlserve.server.http.admin.AdminApi} registers its routes on the
 * transport's {@code Routes} and runs the registry's file I/O on a small bounded pool, so no
 * event loop blocks; its JSON matches {@code mlctl --output json} (the registry's proto
 * formats). Must not import Netty, the gateway's pipeline classes or {@code http.inference}.
 */
package io.mlserve.server.http.admin;
