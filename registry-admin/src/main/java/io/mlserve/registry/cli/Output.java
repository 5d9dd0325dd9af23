package io.mlserve.registry.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Prints results as aligned tables (default) or JSON ({@code --output json}). Not thread-safe. */
final class Output {
  private static final JsonFormat.Printer JSON = JsonFormat.printer()
      .preservingProtoFieldNames().alwaysPrintFieldsWithNoPresence();

  private final PrintStream out;
  private final boolean json;

  Output(PrintStream out, boolean json) {
    this.out = out;
    this.json = json;
  }

  boolean json() {
    return json;
  }

  /** A message as JSON in json mode; else {@code text}. */
  void message(MessageOrBuilder m, String text) {
    out.println(json ? toJson(m) : text);
  }

  static String toJson(MessageOrBuilder m) {
    try {
      return JSON.print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One JSON object per line (compact), for streams. */
  void jsonLine(MessageOrBuilder m) {
    try {
      out.println(JsonFormat.printer().preservingProtoFieldNames()
          .omittingInsignificantWhitespace().print(m));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  void line(String s) {
    out.println(s);
  }

  void table(List<String> header, List<List<String>> rows) {
    int[] w = new int[header.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (List<String> r : all) {
      for (int i = 0; i < w.length; i++) {
        w[i] = Math.max(w[i], cell(r, i).length());
      }
    }
    for (List<String> r : all) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < w.length; i++) {
        String c = cell(r, i);
        sb.append(c);
        if (i < w.length - 1) {
          sb.append(" ".repeat(w[i] - c.length() + 2));
        }
      }
      out.println(sb.toString().stripTrailing());
    }
  }

  private static String cell(List<String> r, int i) {
    String c = i < r.size() ? r.get(i) : "";
    return c == null || c.isEmpty() ? "-" : c;
  }

  static String time(long ms) {
    return ms <= 0 ? "" : Instant.ofEpochMilli(ms).toString();
  }
}
