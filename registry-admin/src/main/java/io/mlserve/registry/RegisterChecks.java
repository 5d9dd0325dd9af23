package io.mlserve.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.store.ModelFormat;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Names;
import io.mlserve.store.SemVer;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Input validation for registration; every failure is an {@link InvalidRequestException} whose
 * message names the field, the bad value and what is allowed. Stateless; thread-safe.
 */
final class RegisterChecks {
  /** OIP v2 tensor datatypes. */
  static final Set<String> DATATYPES = Set.of("BOOL", "UINT8", "UINT16", "UINT32", "UINT64",
      "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BF16", "BYTES");

  private static final ObjectMapper JSON = new ObjectMapper();

  private RegisterChecks() {}

  static String modelName(String name) {
    if (!Names.isValidModelName(name)) {
      throw new InvalidRequestException("invalid model name '" + Names.printable(name)
          + "': must match " + Names.MODEL_NAME_REGEX
          + " (letters, digits, '_', '.', '-'; no path separators, at most 128 characters)");
    }
    return name;
  }

  static SemVer version(String version) {
    try {
      return SemVer.parse(version);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(e.getMessage(), e);
    }
  }

  static ModelFormat format(String format) {
    try {
      return ModelFormat.parse(format);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(e.getMessage(), e);
    }
  }

  static void actor(String actor) {
    if (actor.isBlank()) {
      throw new InvalidRequestException("actor must not be blank");
    }
  }

  static void signature(Signature signature) {
    if (signature.inputs().isEmpty() || signature.outputs().isEmpty()) {
      throw new InvalidRequestException(
          "signature must declare at least one input and one output tensor");
    }
    tensors("input", signature.inputs());
    tensors("output", signature.outputs());
  }

  private static void tensors(String kind, List<TensorSpec> specs) {
    Set<String> seen = new HashSet<>();
    for (TensorSpec s : specs) {
      if (s.name().isBlank() || !seen.add(s.name())) {
        throw new InvalidRequestException(kind + " tensor names must be non-blank and unique, got '"
            + Names.printable(s.name()) + "'");
      }
      if (!DATATYPES.contains(s.datatype())) {
        throw new InvalidRequestException(kind + " tensor '" + s.name() + "' has datatype '"
            + Names.printable(s.datatype()) + "'; allowed: " + DATATYPES.stream().sorted().toList());
      }
      for (long d : s.shape()) {
        if (d < -1) {
          throw new InvalidRequestException(kind + " tensor '" + s.name() + "' has shape "
              + s.shape() + "; dimensions must be >= 0, or -1 for a variable one");
        }
      }
    }
  }

  static void artifact(Path artifact) {
    try {
      if (!Files.isRegularFile(artifact)) {
        throw new InvalidRequestException("artifact " + artifact + " is not a readable file");
      }
      if (Files.size(artifact) == 0) {
        throw new InvalidRequestException("artifact " + artifact + " is empty");
      }
    } catch (IOException e) {
      throw new InvalidRequestException("artifact " + artifact + " cannot be read: "
          + io.mlserve.store.IoErrors.reason(e), e);
    }
  }

  static void examples(Path examples) {
    if (!Files.isRegularFile(examples)) {
      throw new InvalidRequestException("examples " + examples + " is not a readable file");
    }
    try {
      JSON.readTree(examples.toFile());
    } catch (IOException e) {
      throw new InvalidRequestException("examples " + examples + " is not valid JSON: "
          + e.getMessage(), e);
    }
  }

  /**
   * Refuses a version whose semver precedence equals an existing version's (versions are
   * immutable). Call holding the store lock.
   */
  static void rejectDuplicate(ModelStore store, String model,
      SemVer version) {
    if (!store.hasModel(model)) {
      return;
    }
    for (String existing : store.versions(model)) {
      if (SemVer.parse(existing).comparePrecedence(version) == 0) {
        throw new InvalidRequestException(existing.equals(version.toString())
            ? "model " + model + " already has version " + version + "; versions are immutable,"
                + " register a new one"
            : "model " + model + " version " + version + " has the same precedence as existing "
                + existing);
      }
    }
  }
}
