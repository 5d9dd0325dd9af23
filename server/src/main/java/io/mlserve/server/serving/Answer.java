package io.mlserve.server.serving;

import io.mlserve.server.model.ServedModel;
import io.mlserve.server.tensor.Tensor;

/**
 * The answer to one inference: the version that answered, its outputs in signature order, and
 * the request's id (the client's, or the one the server assigned). Immutable once built; the
 * outputs array is not copied.
 */
public record Answer(ServedModel model, Tensor[] outputs, String requestId) {}
