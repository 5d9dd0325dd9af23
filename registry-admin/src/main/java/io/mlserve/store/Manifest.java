package io.mlserve.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A version's manifest ({@code model.json}): identity, artifact file and checksum, the training
 * run, the signature, the serving configuration and free-form params/metrics. Read leniently
 * (see {@link ManifestCodec}); a missing {@code serving} reads as {@link ServingConfig#defaults()},
 * a missing signature as empty, missing params/metrics as empty maps. {@code runId},
 * {@code platform}, {@code sha256}, {@code description} and {@code createdAt} may be null.
 * Immutable at the top level (nested param values are whatever JSON produced).
 */
public record Manifest(
    String name,
    String version,
    String format,
    String artifact,
    String platform,
    String sha256,
    @JsonProperty("run_id") String runId,
    Signature signature,
    ServingConfig serving,
    Map<String, Object> params,
    Map<String, Object> metrics,
    String description,
    @JsonProperty("created_at") Instant createdAt) {

  public Manifest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(artifact, "artifact");
    signature = signature == null ? Signature.empty() : signature;
    serving = serving == null ? ServingConfig.defaults() : serving;
    params = copy(params);
    metrics = copy(metrics);
  }

  /** JSON values may be null, which {@code Map.copyOf} refuses. */
  private static Map<String, Object> copy(Map<String, Object> m) {
    return m == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }
}
