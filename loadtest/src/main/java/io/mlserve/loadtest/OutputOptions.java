package io.mlserve.loadtest;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.HdrHistogram.HistogramLogWriter;
import picocli.CommandLine.Option;

/** Where reports go; shared by the commands (a picocli mixin). Not thread-safe. */
final class OutputOptions {
  @Option(names = "--out", description = "Directory for result.json, latency.hlog, report.html.")
  Path out;

  @Option(names = "--json", description = "Write the result as JSON to this file.")
  Path json;

  @Option(names = "--hlog", description = "Write the HdrHistogram interval log to this file.")
  Path hlog;

  @Option(names = "--html", description = "Write the self-contained HTML report to this file.")
  Path html;

  @Option(names = "--quiet", description = "No progress line.")
  boolean quiet;

  Path json() {
    return json != null ? json : out == null ? null : out.resolve("result.json");
  }

  Path hlogPath() {
    return hlog != null ? hlog : out == null ? null : out.resolve("latency.hlog");
  }

  Path html() {
    return html != null ? html : out == null ? null : out.resolve("report.html");
  }

  /** A writer for the interval log, or null when none was asked for. */
  HistogramLogWriter openHlog() throws IOException {
    Path p = hlogPath();
    if (p == null) {
      return null;
    }
    Path parent = p.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      return new HistogramLogWriter(new File(p.toString()));
    } catch (FileNotFoundException e) {
      throw new IOException("cannot write " + p, e);
    }
  }

  PrintWriter progress(PrintWriter err) {
    return quiet ? null : err;
  }

  /** Writes the JSON and HTML reports asked for. */
  void write(RunResult r, Slo.Verdict verdict) throws IOException {
    if (json() != null) {
      JsonReport.write(JsonReport.render(r, verdict), json());
    }
    if (html() != null) {
      HtmlReport.write(r, verdict, html());
    }
  }
}
