package io.mlserve.server.cli;

import io.mlserve.server.engine.djl.CudaProbeLogging;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mlserve} command line: {@code serve} and {@code demo}. */
@Command(
    name = "mlserve",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "Model serving: Open Inference Protocol v2 over gRPC with dynamic batching.",
    subcommands = {ServeCommand.class, DemoCommand.class, InferCommand.class, HealthCommand.class,
      EnginesCommand.class, SoakReloadCommand.class, AlertsCommand.class})
public final class Main {
  public static void main(String[] args) {
    quietNettyLeakDetection();
    CudaProbeLogging.quietOnCpuOnlyBuild(System.getenv(), System.getProperties(),
        Main.class.getClassLoader());
    if (args.length > 0 && args[0].equals("demo")) {
      // Linked before libtorch's load, which would stall their first calls (see NativePrelink).
      NativePrelink.run();
      DemoCommand.startEngineEarly(java.util.Arrays.asList(args).subList(1, args.length));
    }
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Netty samples one buffer in 128 for leak tracking and records a stack trace for each; on the
   * inference path that showed as 2% of the event loop's time. Off unless the user sets the
   * property (e.g. {@code -Dio.netty.leakDetection.level=paranoid} to hunt a leak). Runs before
   * any Netty class loads.
   */
  static void quietNettyLeakDetection() {
    for (String key : new String[] {
        "io.netty.leakDetection.level", "io.grpc.netty.shaded.io.netty.leakDetection.level"}) {
      if (System.getProperty(key) == null) {
        System.setProperty(key, "disabled");
      }
    }
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"mlserve " + io.mlserve.server.Version.get()};
    }
  }
}
