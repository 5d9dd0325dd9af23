package io.mlserve.server.json;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.tensor.BytesElements;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.tensor.ValueRange;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of {@code BYTES} elements: a JSON string is Unicode text, so an element goes to
 * JSON as the string its bytes spell in UTF-8, and a JSON string comes in as its UTF-8 bytes.
 *
 * <p>An element whose bytes are not valid UTF-8 has no JSON string form. Triton's HTTP server
 * writes such bytes into the JSON text unchanged (the answer is then not valid JSON, and JSON
 * clients fail to parse it); mlserve refuses instead, with an INVALID_ARGUMENT naming the tensor
 * and the element, and the client asks for that output over gRPC (or as binary data), which
 * carries any bytes. Likewise a JSON string holding an unpaired surrogate ({@code "\ud800"}) has no
 * UTF-8 form and is refused, rather than replaced by {@code '?'}.
 *
 * <p>Stateless; thread-safe.
 */
final class Utf8Text {
  private Utf8Text() {}

  /**
   * The element starting (length prefix) at byte {@code off} of the raw data, as text.
   *
   * @param what words for the tensor in messages, e.g. {@code output 'label'}
   * @param index the element's row-major index, for messages
   * @throws InferenceException INVALID_ARGUMENT when the bytes are not valid UTF-8
   */
  static String decode(String what, Tensor t, int off, int end, int index) {
    byte[] data = t.data();
    boolean ascii = true;
    for (int i = off + 4; ascii && i < end; i++) {
      ascii = data[i] >= 0;
    }
    if (ascii) {
      return new String(data, off + 4, end - off - 4, StandardCharsets.US_ASCII);
    }
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      CharBuffer chars = d.decode(ByteBuffer.wrap(data, off + 4, end - off - 4));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw InferenceException.invalid(what + ": BYTES element " + index + " "
          + ValueRange.position(t.shape(), index) + " is not valid UTF-8, so it has no JSON "
          + "string form; request this output over gRPC (bytes_contents or raw), which carries "
          + "any bytes");
    }
  }

  /**
   * The raw {@code BYTES} data of {@code values}: each string's UTF-8 bytes.
   *
   * @throws IllegalArgumentException naming the tensor and the element when a string holds an
   *     unpaired surrogate, or the total is larger than a tensor may be
   */
  static byte[] encode(String name, List<String> values, long[] shape) {
    List<byte[]> bytes = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      String s = values.get(i);
      int bad = unpairedSurrogate(s);
      if (bad >= 0) {
        throw new IllegalArgumentException("tensor '" + name + "': string "
            + ValueRange.position(shape, i) + " holds an unpaired UTF-16 surrogate (\\u"
            + Integer.toHexString(s.charAt(bad)) + " at character " + bad + "), which has no "
            + "UTF-8 form");
      }
      bytes.add(s.getBytes(StandardCharsets.UTF_8));
    }
    return BytesElements.encode(bytes);
  }

  /** The index of the first unpaired surrogate in {@code s}, or -1. */
  static int unpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        return i;
      }
      if (Character.isLowSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }
}
