package io.mlserve.server.http.inference;

import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.json.Json;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.TensorSpec;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /api/v1/batch} in binary: a request with {@code Content-Type: application/octet-stream}
 * carries the rows of the model's one input as raw little-endian bytes, row after row (the
 * request's fields go in the query: {@code model}, {@code version}, {@code stage},
 * {@code request_id}, {@code routing_key}, {@code async}); the row count is the body's length
 * over the bytes of one instance. The answer is framed like Triton's binary tensor data
 * extension: a JSON header ({@code model}, {@code version}, {@code request_id}, and per output
 * {@code name}, {@code datatype}, {@code shape}, {@code parameters.binary_data_size}) whose length
 * is in header {@value BinaryInferRequest#HEADER_LENGTH}, then each output's bytes for all rows,
 * in signature order. No number is formatted or parsed on this path.
 *
 * <p>Stateless; thread-safe.
 */
final class BinaryRows {
  static final java.util.Set<String> QUERY_FIELDS = java.util.Set.of(
      "model", "version", "stage", "request_id", "routing_key", "async");

  private BinaryRows() {}

  /** Whether the call's body is binary rows (Content-Type application/octet-stream). */
  static boolean isBinary(HttpCall call) {
    String type = call.contentType();
    return type != null && type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT)
        .equals(HttpReply.OCTET_STREAM);
  }

  /** Whether the caller asks for binary predictions (Accept: application/octet-stream). */
  static boolean wantsBinary(HttpCall call) {
    String accept = call.header("Accept");
    return accept != null && accept.toLowerCase(Locale.ROOT).contains(HttpReply.OCTET_STREAM);
  }

  /**
   * The request's fields from the query and its rows from the body (one copy, out of the
   * request buffer).
   *
   * @throws HttpStatusException 400 for an unknown query parameter, a missing model, an empty
   *     body or an {@code async} that is not true/false
   */
  static PredictRequest request(HttpCall call) throws IOException {
    for (String name : call.query().keySet()) {
      if (!QUERY_FIELDS.contains(name)) {
        throw HttpStatusException.badRequest("unknown query parameter '" + name + "' (binary "
            + "/api/v1/batch takes " + String.join(", ", QUERY_FIELDS.stream().sorted().toList())
            + ")");
      }
    }
    PredictRequest r = PredictRequest.empty();
    r.model = call.queryParam("model");
    r.version = call.queryParam("version");
    r.stage = call.queryParam("stage");
    r.requestId = call.queryParam("request_id");
    r.routingKey = call.queryParam("routing_key");
    String async = call.queryParam("async");
    if (async != null && !async.equals("true") && !async.equals("false")) {
      throw HttpStatusException.badRequest("query parameter 'async' must be true or false, got '"
          + async + "'");
    }
    r.async = "true".equals(async);
    if (call.bodyLength() == 0) {
      throw HttpStatusException.badRequest("the body holds no rows (binary /api/v1/batch takes "
          + "the input's rows as little-endian bytes)");
    }
    byte[] rows = new byte[call.bodyLength()];
    try (InputStream in = call.body().get()) {
      in.readNBytes(rows, 0, rows.length);
    }
    r.binaryRows = rows;
    return r;
  }

  /**
   * The rows as the input tensor: {@code [rows, instance shape...]}.
   *
   * @throws HttpStatusException 400 when the instance shape is not fixed, the type is BYTES,
   *     or the body is not a whole number of instances
   */
  static Tensor tensor(TensorSpec spec, boolean batchable, byte[] rows) {
    DataType type;
    try {
      type = DataType.parse(spec.datatype());
    } catch (IllegalArgumentException e) {
      throw HttpStatusException.badRequest("input '" + spec.name() + "': " + e.getMessage());
    }
    List<Long> instance = batchable ? spec.shape().subList(1, spec.shape().size()) : spec.shape();
    if (!type.isFixedSize() || instance.stream().anyMatch(d -> d < 0)) {
      throw HttpStatusException.badRequest("binary /api/v1/batch needs a fixed-size instance; "
          + "input '" + spec.name() + "' is " + spec.datatype() + " " + instance
          + ", send its rows as JSON");
    }
    long per = type.byteSize();
    for (long d : instance) {
      per *= d;
    }
    if (per == 0 || rows.length % per != 0) {
      throw HttpStatusException.badRequest("the body's " + rows.length + " bytes are not a whole "
          + "number of instances of input '" + spec.name() + "' (" + spec.datatype() + " "
          + instance + ": " + per + " bytes each)");
    }
    long[] shape = new long[instance.size() + 1];
    shape[0] = rows.length / per;
    for (int i = 0; i < instance.size(); i++) {
      shape[i + 1] = instance.get(i);
    }
    return new Tensor(spec.name(), type, shape, rows);
  }

  /**
   * The binary answer: the JSON header, then per output the bytes of all rows, chunk after
   * chunk (no per-row work).
   *
   * @param chunks each chunk's outputs, in row order
   * @param batchable whether chunks carry the row dimension (else one instance each)
   * @param header writes the fields before {@code outputs} (model, version, request id, ...)
   */
  static HttpReply reply(Tensor[][] chunks, boolean batchable, List<String> names,
      Json.Body header) {
    int outputs = chunks[0].length;
    long[][] shapes = new long[outputs][];
    long total = 0;
    for (int o = 0; o < outputs; o++) {
      shapes[o] = shape(chunks, o, batchable);
      for (Tensor[] c : chunks) {
        total += c[o].data().length;
      }
    }
    byte[] json = Json.write(g -> {
      g.writeStartObject();
      header.write(g);
      g.writeArrayFieldStart("outputs");
      for (int o = 0; o < outputs; o++) {
        long size = 0;
        for (Tensor[] c : chunks) {
          size += c[o].data().length;
        }
        g.writeStartObject();
        g.writeStringField("name", o < names.size() ? names.get(o) : chunks[0][o].name());
        g.writeStringField("datatype", chunks[0][o].dataType().wireName());
        g.writeArrayFieldStart("shape");
        for (long d : shapes[o]) {
          g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeObjectFieldStart("parameters");
        g.writeNumberField(BinaryInferRequest.SIZE_PARAM, size);
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    });
    if (total + json.length > Tensor.MAX_BYTES) {
      throw new HttpStatusException(413, "the predictions take " + total + " bytes, more than "
          + "one response can carry; send fewer rows per request");
    }
    byte[] body = Arrays.copyOf(json, (int) (json.length + total));
    int at = json.length;
    for (int o = 0; o < outputs; o++) {
      for (Tensor[] c : chunks) {
        byte[] d = c[o].data();
        System.arraycopy(d, 0, body, at, d.length);
        at += d.length;
      }
    }
    return new HttpReply(200, HttpReply.OCTET_STREAM, body,
        Map.of(BinaryInferRequest.HEADER_LENGTH, Integer.toString(json.length)));
  }

  /** Output {@code o}'s shape over all rows; every chunk must agree beyond the row dimension. */
  private static long[] shape(Tensor[][] chunks, int o, boolean batchable) {
    long[] first = chunks[0][o].shape();
    long[] instance = batchable && first.length > 0
        ? Arrays.copyOfRange(first, 1, first.length) : first;
    long rows = 0;
    for (Tensor[] c : chunks) {
      long[] s = c[o].shape();
      long[] inst = batchable && s.length > 0 ? Arrays.copyOfRange(s, 1, s.length) : s;
      if (!Arrays.equals(inst, instance)) {
        throw new HttpStatusException(500, "output '" + c[o].name() + "' changed shape between "
            + "chunks (" + Arrays.toString(instance) + " then " + Arrays.toString(inst)
            + "); it cannot be returned as one binary tensor, request JSON");
      }
      rows += batchable && s.length > 0 ? s[0] : 1;
    }
    long[] shape = new long[instance.length + 1];
    shape[0] = rows;
    System.arraycopy(instance, 0, shape, 1, instance.length);
    return shape;
  }
}
