/**
 * JSON codecs of the serving transports: the shared Jackson objects and streaming helpers
 * ({@link io.mlserve.server.json.Json}), tensors to and from JSON
 * ({@link io.mlserve.server.json.TensorJson}, {@link io.mlserve.server.json.NestedArray},
 * {@link io.mlserve.server.json.JsonTensors}) and the shortest round-tripping text of floats
 * ({@link io.mlserve.server.json.FloatText}, {@link io.mlserve.server.json.DecimalText}). Bad
 * input is an {@code InferenceException} INVALID_ARGUMENT naming the field or tensor and the
 * element. Must not import Netty or anything from {@code io.mlserve.server.http}.
 */
package io.mlserve.server.json;
