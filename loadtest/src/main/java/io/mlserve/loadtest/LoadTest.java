package io.mlserve.loadtest;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Entry point of the load generator: {@code LoadTest run --target host:port ...}. Further load
 * shapes (open loop, sweeps) join as subcommands beside {@link RunCommand}.
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true,
    description = "Load generator for mlserve's OIP v2 gRPC endpoint.",
    subcommands = {RunCommand.class})
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
