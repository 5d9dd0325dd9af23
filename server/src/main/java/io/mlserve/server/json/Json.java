package io.mlserve.server.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.server.core.InferenceException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Shared Jackson objects and small streaming helpers. Stateless; thread-safe. */
public final class Json {
  // Schubfach / FastDoubleParser instead of the JDK's float formatting and parsing: a 1,000-row
  // batch is 24,000 numbers each way.
  public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .enable(StreamReadFeature.USE_FAST_BIG_NUMBER_PARSER)
      .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
      .build());
  public static final JsonFactory FACTORY = MAPPER.getFactory();

  private Json() {}

  /** Writes with a generator of its own and returns the bytes. */
  public interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  public static byte[] write(Body body) {
    return write(256, body);
  }

  public static byte[] write(int sizeHint, Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      body.write(g);
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible);
    }
    return out.toByteArray();
  }

  /** The parser's current value as a string field, or an INVALID_ARGUMENT naming the field. */
  public static String stringField(JsonParser p, String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.VALUE_STRING) {
      throw InferenceException.invalid(
          "field '" + field + "' must be a string, got " + describe(t));
    }
    return p.getText();
  }

  /** The parser's current value as a boolean field, or an INVALID_ARGUMENT naming the field. */
  public static boolean booleanField(JsonParser p, String field) {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
      return t == JsonToken.VALUE_TRUE;
    }
    throw InferenceException.invalid(
        "field '" + field + "' must be true or false, got " + describe(t));
  }

  /** Words for a token, for error messages. */
  public static String describe(JsonToken t) {
    if (t == null) {
      return "end of input";
    }
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.toString();
    };
  }
}
