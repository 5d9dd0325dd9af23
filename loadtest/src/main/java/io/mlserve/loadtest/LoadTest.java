package io.mlserve.loadtest;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Entry point of the load generator: {@code loadtest run|sweep|reload --target ...}.
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true,
    description = "Open- and closed-loop load for mlserve's gRPC and REST endpoints, with"
        + " coordinated-omission-free latency, HdrHistogram logs and HTML reports.",
    subcommands = {RunCommand.class, SweepCommand.class, ReloadCommand.class})
public final class LoadTest implements Runnable {
  @Spec CommandSpec spec;

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line, for callers (and tests) that want the exit code without exiting. */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new LoadTest());
    // A bad value found after parsing (a target, a file) is a bad command line: one line
    // naming it, exit 2, no stack trace.
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof IllegalArgumentException || e instanceof java.io.IOException) {
        cmd.getErr().println("loadtest " + cmd.getCommandName() + ": " + e.getMessage());
        cmd.getErr().flush();
        return e instanceof IllegalArgumentException ? 2 : 1;
      }
      throw e;
    });
    return ExitCodes.document(cl);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }
}
