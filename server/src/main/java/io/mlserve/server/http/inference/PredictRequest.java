package io.mlserve.server.http.inference;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.json.Json;
import io.mlserve.server.json.NestedArray;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code POST /api/v1/predict} or {@code POST /api/v1/batch}, read with the
 * streaming parser (no tree): numbers go straight into a primitive array.
 *
 * <p>Not thread-safe; one per request.
 */
final class PredictRequest {
  static final Set<String> PREDICT_FIELDS = Set.of(
      "model", "version", "stage", "input", "inputs", "request_id", "routing_key");
  static final Set<String> BATCH_FIELDS = Set.of(
      "model", "version", "stage", "instances", "async", "request_id", "routing_key");

  String model;
  String version;
  String stage;
  /** {@code request_id}: the client's id for the request (feedback joins on it), or null. */
  String requestId;
  /** {@code routing_key}: pins the caller to one arm of a traffic split, or null. */
  String routingKey;
  /** {@code input}: one unnamed tensor. */
  NestedArray input;
  /** {@code inputs}: tensors by name, in request order. */
  Map<String, NestedArray> inputs;
  /** {@code instances}: rows for the batch endpoint. */
  NestedArray instances;
  boolean async;
  /** Binary {@code /api/v1/batch}: the rows as little-endian bytes (see {@link BinaryRows}). */
  byte[] binaryRows;

  private PredictRequest() {}

  /** A request with no field set, for a decoder other than the JSON one. */
  static PredictRequest empty() {
    return new PredictRequest();
  }

  /**
   * @param fields the fields this endpoint accepts; others are refused by name
   * @throws HttpStatusException 400 naming the problem; JSON syntax errors surface as Jackson's
   *     exceptions, which the gateway's error table answers with 400 too
   */
  static PredictRequest parse(InputStream body, Set<String> fields) throws IOException {
    PredictRequest r = new PredictRequest();
    try (JsonParser p = Json.FACTORY.createParser(body)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw HttpStatusException.badRequest("request body is empty; expected a JSON object");
      }
      if (t != JsonToken.START_OBJECT) {
        throw HttpStatusException.badRequest(
            "request body must be a JSON object, got " + Json.describe(t));
      }
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        if (!fields.contains(name)) {
          throw HttpStatusException.badRequest(
              "unknown field '" + name + "' (accepted: " + String.join(", ", sorted(fields)) + ")");
        }
        p.nextToken();
        switch (name) {
          case "model" -> r.model = Json.stringField(p, name);
          case "version" -> r.version = Json.stringField(p, name);
          case "stage" -> r.stage = Json.stringField(p, name);
          case "request_id" -> r.requestId = Json.stringField(p, name);
          case "routing_key" -> r.routingKey = Json.stringField(p, name);
          case "async" -> r.async = Json.booleanField(p, name);
          case "input" -> r.input = NestedArray.read(p, name, Integer.MAX_VALUE / 8);
          case "instances" -> r.instances = NestedArray.read(p, name, Integer.MAX_VALUE / 8);
          case "inputs" -> r.inputs = readInputs(p);
          default -> throw new IllegalStateException(name);
        }
      }
      if (p.nextToken() != null) {
        throw HttpStatusException.badRequest("unexpected content after the JSON object");
      }
    }
    return r;
  }

  private static Map<String, NestedArray> readInputs(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw HttpStatusException.badRequest(
          "field 'inputs' must be an object of input name to array, got "
              + Json.describe(p.currentToken()));
    }
    Map<String, NestedArray> m = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      m.put(name, NestedArray.read(p, "inputs." + name, Integer.MAX_VALUE / 8));
    }
    return m;
  }

  private static java.util.List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }
}
