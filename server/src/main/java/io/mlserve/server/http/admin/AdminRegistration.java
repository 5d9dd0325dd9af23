package io.mlserve.server.http.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.drift.ReferenceComputer;
import io.mlserve.experiments.RunStore;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.registry.RegisterSpec;
import io.mlserve.registry.Registrations;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.json.Json;
import io.mlserve.store.Manifest;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /api/v1/models/{model}/versions}: registration over REST, with the semantics of
 * the admin gRPC {@code Register} (the same {@link Registrations#resolve}: exactly one of
 * version and bump; signature and serving inherited from the latest version when left out; a
 * {@code run_id} copies the run's params and last metric values into the manifest, and
 * supplies the artifact when none is sent), then {@link ModelRegistry#register}, which runs the
 * registry's validator (the server's engine: load, warm-up, health check, golden examples) in a
 * temp directory and leaves nothing behind when it fails (400 with the reason).
 *
 * <p>Two body forms: {@code application/json} with the artifact as {@code artifact_base64}, or
 * {@code application/octet-stream} with the artifact as the raw body and {@code version} or
 * {@code bump}, {@code format}, {@code run_id} and {@code description} as query parameters.
 * Either way the request is bounded by the gateway's largest body (413 beyond it; base64 makes
 * the JSON form hold about 3/4 of that); larger artifacts go through gRPC {@code Register},
 * which streams. The body is copied on the event loop; decoding, the temp files and the
 * registration run on the admin pool. Answers 201 with the version as {@code GET} shows it and
 * a {@code Location} header. {@code reference} (a dataset name or {@code run:<id>/<artifact>})
 * computes the version's drift reference profile before it becomes visible, as gRPC
 * {@code Register} does. Thread-safe.
 */
final class AdminRegistration {
  static final Set<String> FIELDS = Set.of("version", "bump", "artifact_base64", "format",
      "signature", "serving", "run_id", "description", "examples", "reference");
  private static final Set<String> QUERY = Set.of("version", "bump", "format", "run_id",
      "description", "reference");

  private final ModelRegistry registry; // null: disabled
  private final RunStore runs;
  private final ReferenceComputer references;
  private final AdminCalls calls;

  AdminRegistration(ModelRegistry registry, RunStore runs, ReferenceComputer references,
      AdminCalls calls) {
    this.registry = registry;
    this.runs = runs;
    this.references = references;
    this.calls = calls;
  }

  CompletableFuture<HttpReply> register(HttpCall c) throws Exception {
    String actor = calls.authorize(c);
    String model = c.param("model");
    byte[] body;
    try (InputStream in = c.body().get()) {
      body = in.readAllBytes(); // the stream is only valid during this call
    }
    if (isOctetStream(c.contentType())) {
      for (String name : c.query().keySet()) {
        if (!QUERY.contains(name)) {
          throw HttpStatusException.badRequest("unknown query parameter '" + name
              + "'; allowed: " + String.join(", ", QUERY.stream().sorted().toList()));
        }
      }
      Fields f = new Fields(c.queryParam("version"), c.queryParam("bump"), body,
          c.queryParam("format"), null, null, c.queryParam("run_id"),
          c.queryParam("description"), null, c.queryParam("reference"));
      return calls.write(() -> register(model, f, actor));
    }
    return calls.write(() -> register(model, fromJson(body), actor));
  }

  /** What a request states; null for anything left out. */
  private record Fields(String version, String bump, byte[] artifact, String format,
      Signature signature, ServingConfig serving, String runId, String description,
      byte[] examples, String reference) {}

  private HttpReply register(String model, Fields f, String actor) throws IOException {
    Path artifact = null;
    Path examples = null;
    try {
      if (f.artifact() != null && f.artifact().length > 0) {
        artifact = Files.createTempFile("mlserve-upload-", ".bin");
        Files.write(artifact, f.artifact());
      }
      if (f.examples() != null) {
        examples = Files.createTempFile("mlserve-examples-", ".json");
        Files.write(examples, f.examples());
      }
      RegisterSpec spec = new RegisterSpec(model, f.version(), f.bump(), artifact, f.format(),
          f.signature(), f.serving(), f.runId(), f.description(), examples, actor);
      RegisterRequest req = Registrations.resolve(spec, registry, runs);
      if (f.reference() != null && !f.reference().isBlank()) { // before the version is visible
        req = req.withBeforeInstall(references.step(req.model(), req.version(), req.signature(),
            f.reference().trim()));
      }
      Manifest m = registry.register(req);
      return AdminJson.manifest(registry, m.name(), m.version(), 201)
          .withHeader("Location", "/api/v1/models/" + encode(m.name()) + "/versions/"
              + encode(m.version()));
    } finally {
      if (artifact != null) {
        Files.deleteIfExists(artifact);
      }
      if (examples != null) {
        Files.deleteIfExists(examples);
      }
    }
  }

  private static Fields fromJson(byte[] body) throws IOException {
    JsonNode n = AdminCalls.object(body.length == 0 ? null : Json.MAPPER.readTree(body), FIELDS);
    byte[] artifact = null;
    String b64 = AdminCalls.text(n, "artifact_base64");
    if (b64 != null) {
      try {
        artifact = Base64.getDecoder().decode(b64);
      } catch (IllegalArgumentException e) {
        throw HttpStatusException.badRequest("field 'artifact_base64' is not valid base64"
            + " (standard alphabet, padded, no line breaks): " + e.getMessage());
      }
    }
    JsonNode examples = n.get("examples");
    if (examples != null && !examples.isNull() && !examples.isObject()) {
      throw HttpStatusException.badRequest("field 'examples' must be a JSON object (the"
          + " content of examples.json)");
    }
    return new Fields(AdminCalls.text(n, "version"), AdminCalls.text(n, "bump"), artifact,
        AdminCalls.text(n, "format"), object(n, "signature", Signature.class),
        object(n, "serving", ServingConfig.class), AdminCalls.text(n, "run_id"),
        AdminCalls.text(n, "description"),
        examples == null || examples.isNull() ? null : Json.MAPPER.writeValueAsBytes(examples),
        AdminCalls.text(n, "reference"));
  }

  private static <T> T object(JsonNode body, String field, Class<T> type) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw HttpStatusException.badRequest("field '" + field + "' must be a JSON object");
    }
    try {
      return Json.MAPPER.treeToValue(v, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      String why = e instanceof JsonProcessingException j ? j.getOriginalMessage()
          : e.getMessage();
      throw HttpStatusException.badRequest("invalid '" + field + "': " + why);
    }
  }

  private static boolean isOctetStream(String contentType) {
    return contentType != null && contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT)
        .equals(HttpReply.OCTET_STREAM);
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
