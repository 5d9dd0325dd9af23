package io.mlserve.server.triton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.mlserve.server.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes a protobuf message as the JSON Triton's REST extensions answer with: the protobuf JSON
 * mapping with the proto field names ({@code max_batch_size}, not {@code maxBatchSize}), every
 * field printed even at its default (so {@code "count": 0} is there), and 64-bit integers as JSON
 * numbers rather than the strings the mapping prescribes ({@code "dims": [24]}, as Triton prints
 * them). Unset message fields and an unset oneof stay out, as in Triton's answers.
 *
 * <p>Stateless; thread-safe.
 */
public final class TritonJson {
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
      .preservingProtoFieldNames()
      .alwaysPrintFieldsWithNoPresence()
      .omittingInsignificantWhitespace();

  private TritonJson() {}

  /** The message as UTF-8 JSON. */
  public static byte[] write(Message message) {
    try {
      JsonNode tree = Json.MAPPER.readTree(PRINTER.print(message));
      numbers(message.getDescriptorForType(), (ObjectNode) tree);
      return Json.MAPPER.writeValueAsBytes(tree);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("message cannot be printed as JSON", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Rewrites, in place, each 64-bit integer field under {@code obj} from string to number. */
  private static void numbers(Descriptor type, ObjectNode obj) {
    for (FieldDescriptor f : type.getFields()) {
      JsonNode v = obj.get(f.getName());
      if (v == null || v.isNull()) {
        continue;
      }
      if (f.isMapField()) {
        FieldDescriptor value = f.getMessageType().findFieldByName("value");
        Iterator<Map.Entry<String, JsonNode>> it = v.fields();
        ObjectNode map = (ObjectNode) v;
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          map.set(e.getKey(), value(value, e.getValue()));
        }
      } else if (f.isRepeated()) {
        ArrayNode arr = (ArrayNode) v;
        for (int i = 0; i < arr.size(); i++) {
          arr.set(i, value(f, arr.get(i)));
        }
      } else {
        obj.set(f.getName(), value(f, v));
      }
    }
  }

  private static JsonNode value(FieldDescriptor f, JsonNode v) {
    if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && v.isObject()) {
      numbers(f.getMessageType(), (ObjectNode) v);
      return v;
    }
    if (f.getJavaType() == FieldDescriptor.JavaType.LONG && v.isTextual()) {
      BigInteger n = new BigInteger(v.asText());
      return n.bitLength() < 64 ? LongNode.valueOf(n.longValue()) : BigIntegerNode.valueOf(n);
    }
    return v;
  }
}
