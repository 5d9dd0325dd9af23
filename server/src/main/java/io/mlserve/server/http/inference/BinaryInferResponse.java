package io.mlserve.server.http.inference;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.tensor.Tensor;
import java.io.IOException;
import java.util.Map;

/**
 * The answer side of Triton's binary tensor data extension: which outputs go back as binary
 * data (per output {@code "parameters": {"binary_data": true}}, else the request's
 * {@code "binary_data_output"}, which a per-output setting overrides), and the body that
 * carries them: the JSON response, then each binary output's bytes in the order the JSON lists
 * them, with header {@value BinaryInferRequest#HEADER_LENGTH} giving the JSON's length and
 * Content-Type {@code application/octet-stream}, as Triton answers. Without binary outputs the
 * answer is plain JSON, as before.
 *
 * <p>Stateless; thread-safe.
 */
final class BinaryInferResponse {
  static final String OUTPUT_PARAM = "binary_data";
  static final String ALL_OUTPUTS_PARAM = "binary_data_output";

  private BinaryInferResponse() {}

  /**
   * Per answered output, whether it goes back as binary.
   *
   * @param parameters the request's {@code parameters} (null when absent)
   * @param requested the request's {@code outputs} (null or empty: all outputs, in order)
   * @param count outputs answered
   * @param raw a raw binary request (no JSON): every output is binary
   * @throws HttpStatusException 400 for a flag that is not a boolean
   */
  static boolean[] binaryOutputs(JsonNode parameters, JsonNode requested, int count,
      boolean raw) {
    boolean all = raw || flag(parameters, ALL_OUTPUTS_PARAM, "the request's parameter");
    boolean[] binary = new boolean[count];
    for (int i = 0; i < count; i++) {
      binary[i] = all;
      JsonNode entry = requested == null || !requested.isArray() ? null : requested.get(i);
      JsonNode p = entry == null ? null : entry.get("parameters");
      if (p != null && !p.isNull() && !p.isObject()) {
        throw HttpStatusException.badRequest("output '" + entry.path("name").asText()
            + "': field 'parameters' must be an object");
      }
      if (p != null && p.has(OUTPUT_PARAM)) {
        binary[i] = flag(p, OUTPUT_PARAM, "output '" + entry.path("name").asText()
            + "': parameter");
      }
    }
    return binary;
  }

  private static boolean flag(JsonNode parameters, String name, String what) {
    JsonNode v = parameters == null ? null : parameters.get(name);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw HttpStatusException.badRequest(what + " '" + name + "' must be true or false, got "
          + v);
    }
    return v.booleanValue();
  }

  /** In place of {@code "data"}: the output's {@code "parameters": {"binary_data_size": N}}. */
  static void writeSize(JsonGenerator g, Tensor t) throws IOException {
    g.writeObjectFieldStart("parameters");
    g.writeNumberField(BinaryInferRequest.SIZE_PARAM, t.data().length);
    g.writeEndObject();
  }

  /**
   * The reply: plain JSON when no output is binary, else the JSON followed by the binary
   * outputs' bytes.
   *
   * @param binary per entry of {@code outputs}, whether it was written as binary
   */
  static HttpReply reply(byte[] json, Tensor[] outputs, boolean[] binary) {
    long size = json.length;
    boolean any = false;
    for (int i = 0; i < outputs.length; i++) {
      if (binary[i]) {
        any = true;
        size += outputs[i].data().length;
      }
    }
    if (!any) {
      return HttpReply.json(200, json);
    }
    if (size > Tensor.MAX_BYTES) {
      throw HttpStatusException.badRequest("the answer's binary outputs take " + size
          + " bytes, more than one response can carry; request fewer rows");
    }
    byte[] body = new byte[(int) size];
    System.arraycopy(json, 0, body, 0, json.length);
    int at = json.length;
    for (int i = 0; i < outputs.length; i++) {
      if (binary[i]) {
        byte[] d = outputs[i].data();
        System.arraycopy(d, 0, body, at, d.length);
        at += d.length;
      }
    }
    return new HttpReply(200, HttpReply.OCTET_STREAM, body,
        Map.of(BinaryInferRequest.HEADER_LENGTH, Integer.toString(json.length)));
  }
}
