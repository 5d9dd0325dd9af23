package io.mlserve.store;

/** A model or model version that the store does not hold. The message names what was missing. */
public final class NotFoundException extends StoreException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String message) {
    super(message);
  }

  /** A missing model. */
  public static NotFoundException model(String model) {
    return new NotFoundException("model '" + Names.printable(model) + "' not found");
  }

  /** A missing version of a model. */
  public static NotFoundException version(String model, String version) {
    return new NotFoundException("model '" + Names.printable(model) + "' has no version '"
        + Names.printable(version) + "'");
  }
}
