package io.mlserve.server.http.inference;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.json.Json;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.TensorSpec;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

/**
 * The body of a {@code /v2/.../infer} request read as Triton's binary tensor data extension
 * describes it: with the {@value #HEADER_LENGTH} header, its first N bytes are the JSON inference
 * request and the rest is the data of the inputs that carry parameter {@code binary_data_size},
 * in the order of those inputs; without the header the whole body is JSON (as before). A header
 * of 0 is the extension's "raw binary request": the whole body is the one input's data and its
 * shape is deduced from the byte count ({@link #rawInput}).
 *
 * <p>Every size is checked against the body before anything is allocated or read: a header
 * longer than the body, a {@code binary_data_size} that disagrees with shape and datatype or
 * runs past the end, and bytes no input claims are 400s naming the problem. Each input's bytes
 * are copied once, from the aggregated request buffer into the tensor's array.
 *
 * <p>Not thread-safe; one per request, used on the event loop while the body is valid.
 */
final class BinaryInferRequest {
  /** The request and response header giving the length of the JSON part of the body. */
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";
  /** The input parameter giving the byte size of the input's binary data. */
  static final String SIZE_PARAM = "binary_data_size";

  private final InputStream in;
  private final boolean framed;
  private final JsonNode json;
  private final int binaryBytes;
  private final byte[] raw;
  private int consumed;

  private BinaryInferRequest(InputStream in, boolean framed, JsonNode json, int binaryBytes,
      byte[] raw) {
    this.in = in;
    this.framed = framed;
    this.json = json;
    this.binaryBytes = binaryBytes;
    this.raw = raw;
  }

  /**
   * Splits the call's body.
   *
   * @throws HttpStatusException 400 for a header that is not a length within the body
   */
  static BinaryInferRequest read(HttpCall call) throws IOException {
    String header = call.header(HEADER_LENGTH);
    InputStream in = call.body().get();
    if (header == null) {
      return new BinaryInferRequest(in, false, Json.MAPPER.readTree(in), 0, null);
    }
    int total = call.bodyLength();
    int jsonBytes = headerLength(header, total);
    if (jsonBytes == 0) {
      byte[] all = new byte[total];
      in.readNBytes(all, 0, total);
      return new BinaryInferRequest(in, true, null, 0, all);
    }
    byte[] head = new byte[jsonBytes];
    in.readNBytes(head, 0, jsonBytes);
    return new BinaryInferRequest(in, true, Json.MAPPER.readTree(head), total - jsonBytes, null);
  }

  private static int headerLength(String header, int bodyLength) {
    String v = header.trim();
    long n = -1;
    if (!v.isEmpty() && v.length() <= 12 && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      n = Long.parseLong(v);
    }
    if (n < 0) {
      throw HttpStatusException.badRequest("header " + HEADER_LENGTH
          + " must be a non-negative integer (the length of the JSON part of the body), got '"
          + clip(header) + "'");
    }
    if (n > bodyLength) {
      throw HttpStatusException.badRequest("header " + HEADER_LENGTH + " says the JSON part is "
          + n + " bytes, but the body has only " + bodyLength + " bytes");
    }
    return (int) n;
  }

  private static String clip(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  /** Whether the body is the extension's raw binary request (header 0: no JSON at all). */
  boolean raw() {
    return raw != null;
  }

  /** The JSON inference request; null for a raw binary request. */
  JsonNode json() {
    return json;
  }

  /** Whether an entry of {@code inputs} names its data by {@code binary_data_size}. */
  static boolean isBinary(JsonNode input) {
    JsonNode p = input.get("parameters");
    return p != null && p.isObject() && p.has(SIZE_PARAM);
  }

  /**
   * The next {@code size} bytes of the binary part as the data of an input whose header (name,
   * datatype, shape) is already parsed.
   *
   * @param where the message prefix naming the input
   * @throws HttpStatusException 400 when the entry also has {@code data}, the size is not a
   *     non-negative integer, disagrees with shape and datatype, or runs past the body
   */
  Tensor tensor(String where, String name, DataType type, long[] shape, JsonNode input)
      throws IOException {
    if (input.has("data")) {
      throw HttpStatusException.badRequest(where + "give either 'data' or parameter '"
          + SIZE_PARAM + "', not both");
    }
    JsonNode sizeNode = input.get("parameters").get(SIZE_PARAM);
    if (!sizeNode.isIntegralNumber() || !sizeNode.canConvertToLong() || sizeNode.longValue() < 0) {
      throw HttpStatusException.badRequest(where + "parameter '" + SIZE_PARAM
          + "' must be a non-negative integer, got " + clip(sizeNode.toString()));
    }
    if (!framed) {
      throw HttpStatusException.badRequest(where + "parameter '" + SIZE_PARAM + "' needs the "
          + "binary data after the JSON, and the header " + HEADER_LENGTH + " giving the JSON's "
          + "length; the request has no such header");
    }
    long size = sizeNode.longValue();
    if (type.isFixedSize()) {
      long need = byteSize(where, name, type, shape);
      if (size != need) {
        throw HttpStatusException.badRequest(where + SIZE_PARAM + " is " + size + " bytes, but "
            + "shape " + Arrays.toString(shape) + " of " + type.wireName() + " takes " + need);
      }
    }
    int left = binaryBytes - consumed;
    if (size > left) {
      throw HttpStatusException.badRequest(where + SIZE_PARAM + " " + size + " runs past the end "
          + "of the body: " + left + " bytes of binary data are left for it");
    }
    byte[] data = new byte[(int) size];
    in.readNBytes(data, 0, data.length);
    consumed += data.length;
    return newTensor(where, name, type, shape, data);
  }

  /**
   * Refuses bytes after the last binary input.
   *
   * @throws HttpStatusException 400 when the binary part is longer than the inputs claim
   */
  void checkAllClaimed() {
    if (consumed != binaryBytes) {
      throw HttpStatusException.badRequest((binaryBytes - consumed) + " bytes of binary data "
          + "after the JSON are not claimed by any input (the inputs' " + SIZE_PARAM
          + " add up to " + consumed + " of " + binaryBytes + ")");
    }
  }

  /**
   * The raw binary request's one input, shaped from the byte count: the model must take one
   * input; a batch dimension becomes 1; of the other dimensions at most one may be variable
   * (BYTES: the instance shape must be [1]).
   *
   * @throws HttpStatusException 400 when the model or the byte count does not allow it
   */
  Tensor rawInput(List<TensorSpec> specs, String model) {
    if (specs.size() != 1) {
      throw HttpStatusException.badRequest("a request with " + HEADER_LENGTH + ": 0 (raw binary, "
          + "no JSON) needs a model with one input; " + model + " takes " + specs.size());
    }
    TensorSpec spec = specs.get(0);
    DataType type = parseType(spec);
    String where = "input '" + spec.name() + "': ";
    boolean batchable = PredictApi.batchable(spec);
    long[] shape = spec.shape().stream().mapToLong(Long::longValue).toArray();
    int from = batchable ? 1 : 0;
    if (batchable) {
      shape[0] = 1;
    }
    int variable = -1;
    long known = type.isFixedSize() ? type.byteSize() : 1;
    for (int i = from; i < shape.length; i++) {
      if (shape[i] >= 0) {
        known *= shape[i];
      } else if (variable >= 0) {
        throw HttpStatusException.badRequest(where + "shape " + spec.shape() + " has more than "
            + "one variable dimension; a raw binary request cannot say its shape, send the JSON "
            + "header");
      } else {
        variable = i;
      }
    }
    if (!type.isFixedSize()) {
      if (shape.length - from != 1 || shape[from] > 1) {
        throw HttpStatusException.badRequest(where + "a raw binary request of BYTES needs an "
            + "instance shape of [1], the model's is " + spec.shape());
      }
      shape[from] = 1;
      return newTensor(where, spec.name(), type, shape, raw);
    }
    if (variable >= 0) {
      if (known == 0 || raw.length % known != 0) {
        throw HttpStatusException.badRequest(where + "a raw binary body of " + raw.length
            + " bytes does not fill shape " + spec.shape() + " of " + type.wireName());
      }
      shape[variable] = raw.length / known;
    }
    long need = byteSize(where, spec.name(), type, shape);
    if (need != raw.length) {
      throw HttpStatusException.badRequest(where + "a raw binary body of " + raw.length
          + " bytes does not match shape " + Arrays.toString(shape) + " of " + type.wireName()
          + " (" + need + " bytes)");
    }
    return newTensor(where, spec.name(), type, shape, raw);
  }

  private static DataType parseType(TensorSpec spec) {
    try {
      return DataType.parse(spec.datatype());
    } catch (IllegalArgumentException e) {
      throw HttpStatusException.badRequest("input '" + spec.name() + "': " + e.getMessage());
    }
  }

  private static long byteSize(String where, String name, DataType type, long[] shape) {
    try {
      return Tensor.byteSize(name, type, shape);
    } catch (IllegalArgumentException e) {
      throw HttpStatusException.badRequest(where + e.getMessage());
    }
  }

  private static Tensor newTensor(String where, String name, DataType type, long[] shape,
      byte[] data) {
    try {
      return new Tensor(name, type, shape, data);
    } catch (IllegalArgumentException e) {
      throw HttpStatusException.badRequest(where + e.getMessage());
    }
  }
}
