package io.mlserve.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mlserve} command line: {@code serve} and {@code demo}. */
@Command(
    name = "mlserve",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "Model serving: Open Inference Protocol v2 over gRPC with dynamic batching.",
    subcommands = {ServeCommand.class, DemoCommand.class, InferCommand.class, HealthCommand.class,
      EnginesCommand.class, SoakReloadCommand.class})
public final class Main {
  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"mlserve " + io.mlserve.server.Version.get()};
    }
  }
}
