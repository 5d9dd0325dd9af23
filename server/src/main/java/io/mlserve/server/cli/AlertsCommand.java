package io.mlserve.server.cli;

import io.mlserve.server.alerts.AlertConfig;
import io.mlserve.server.alerts.AlertConfigException;
import io.mlserve.server.alerts.AlertConfigFiles;
import io.mlserve.server.alerts.promql.PrometheusRules;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mlserve alerts export --format prometheus [--rules FILE] [--output FILE]}: writes the
 * alert rules the server evaluates (the built-in ones, or those of a rules file as
 * {@code --alert-rules} reads it) as a Prometheus rules file, to stdout or atomically to a file.
 * Exit 0 on success, 2 for a bad rules file or option, 1 when the output cannot be written.
 */
@Command(name = "alerts", mixinStandardHelpOptions = true,
    description = "Alert rules: export them for Prometheus.",
    subcommands = AlertsCommand.Export.class)
final class AlertsCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("mlserve alerts: give a subcommand: export");
    return 2;
  }

  /** The formats {@code export} writes. */
  enum Format { prometheus }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Write the alert rules as a Prometheus rules file (promtool check rules"
          + " accepts it).")
  static final class Export implements Callable<Integer> {
    @Option(names = "--format", defaultValue = "prometheus",
        description = "Output format: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    Format format;

    @Option(names = "--rules", paramLabel = "FILE",
        description = "An alert rules file (YAML or JSON, as --alert-rules); default: the"
            + " built-in rules")
    Path rules;

    @Option(names = "--output", paramLabel = "FILE", description = "Write here (default:"
        + " stdout); replaced atomically")
    Path output;

    private final PrintStream out;
    private final PrintStream err;

    Export() {
      this(System.out, System.err);
    }

    Export(PrintStream out, PrintStream err) {
      this.out = out;
      this.err = err;
    }

    @Override
    public Integer call() {
      AlertConfig config;
      try {
        config = rules == null ? AlertConfig.defaults() : AlertConfigFiles.load(rules);
      } catch (AlertConfigException e) {
        err.println("mlserve alerts export: " + e.getMessage());
        return 2;
      }
      String text = PrometheusRules.render(config);
      if (output == null) {
        out.print(text);
        out.flush();
        return 0;
      }
      Path target = output.toAbsolutePath();
      Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
      try {
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the write failed already; nothing more to report
        }
        err.println("mlserve alerts export: cannot write " + output + ": "
            + (e instanceof java.nio.file.NoSuchFileException ? "no such directory"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : "I/O error"));
        return 1;
      }
      err.println("mlserve alerts export: " + config.rules().size() + " rules written to "
          + output);
      return 0;
    }
  }
}
