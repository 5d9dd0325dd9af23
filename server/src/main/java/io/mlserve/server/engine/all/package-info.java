/**
 * The set of engines a server loads models with ({@link io.mlserve.server.engine.all.Engines}),
 * kept out of {@code io.mlserve.server.engine} so that the engine SPI does not depend on its
 * implementations.
 */
package io.mlserve.server.engine.all;
