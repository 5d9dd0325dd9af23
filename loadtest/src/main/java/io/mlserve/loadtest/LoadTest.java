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
    return new CommandLine(new LoadTest());
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }
}
