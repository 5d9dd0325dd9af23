package io.mlserve.dataset;

import io.mlserve.registry.InvalidRequestException;

/**
 * A dataset name that the model already has: datasets are immutable, so adding it again is
 * refused (gRPC ALREADY_EXISTS, HTTP 409). The message names the dataset.
 */
public final class DatasetExistsException extends InvalidRequestException {
  private static final long serialVersionUID = 1L;

  public DatasetExistsException(String model, String name) {
    super("dataset '" + name + "' of model '" + model + "' already exists; datasets are"
        + " immutable: add it under another name");
  }
}
