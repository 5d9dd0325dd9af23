package io.mlserve.registry.cli;

import io.mlserve.dataset.DatasetLimits;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code mlctl}: the registry CLI. {@code --server HOST:PORT} talks to a running server;
 * {@code --store DIR} works on a store directly (the admin service runs in this process; engine
 * validation of registrations needs a server). Tables by default, {@code --output json} for
 * scripts. Exit code 0 on success, 1 with a one-line reason on stderr otherwise, 2 for usage.
 */
@Command(name = "mlctl", mixinStandardHelpOptions = true, version = "mlctl 0.1.0",
    description = "Model registry: versions, stages, traffic splits, rollouts, runs and events.",
    subcommands = {
        ModelCommands.Register.class, ModelCommands.Promote.class, ModelCommands.Rollback.class,
        ModelCommands.Deprecate.class, ModelCommands.Archive.class, ModelCommands.Restore.class,
        ModelCommands.Cleanup.class, ModelCommands.ListModels.class, ModelCommands.Show.class,
        ModelCommands.History.class, TrafficCommands.Group.class, RolloutCommands.Group.class,
        EventsCommand.class,
        CheckCommand.class,
        RunCommands.RunGroup.class,
        RunCommands.RunsGroup.class,
        AbCommands.AbGroup.class, ShadowCommands.Group.class, DriftCommand.class,
        DatasetCommands.Group.class,
        ApprovalCommands.PolicyGroup.class, ApprovalCommands.Approve.class,
        ApprovalCommands.Reject.class, ApprovalCommands.ApprovalGroup.class,
        EvaluateCommands.Evaluate.class, EvaluateCommands.ListEvaluations.class,
        EvaluateCommands.Group.class,
        ReferenceCommands.Group.class,
        AlertsCommand.class})
public final class MlctlMain implements Callable<Integer> {
  @Option(names = "--server", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT",
      description = "a running mlserve server's gRPC address")
  String server;

  @Option(names = "--store", scope = ScopeType.INHERIT, paramLabel = "DIR",
      description = "work on this store directly (default: $MLSERVE_STORE, else ./models)")
  Path store;

  @Option(names = "--output", scope = ScopeType.INHERIT, defaultValue = "table",
      paramLabel = "table|json", description = "output format (default: table)")
  String output;

  @Option(names = "--token", scope = ScopeType.INHERIT,
      description = "admin token (default: $MLSERVE_ADMIN_TOKEN)")
  String token;

  @Option(names = "--actor", scope = ScopeType.INHERIT,
      description = "who you are, for the history (default: $USER)")
  String actor;

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    new CommandLine(this).usage(out);
    return 0;
  }

  AdminClient client() throws Exception {
    return client(DatasetLimits.defaults());
  }

  /** As {@link #client()}; with {@code --store}, datasets are added under {@code limits}. */
  AdminClient client(DatasetLimits limits) throws Exception {
    String who = actor != null ? actor : System.getenv().getOrDefault("USER", "anonymous");
    if (server != null) {
      if (store != null) {
        throw new IllegalArgumentException("give --server or --store, not both");
      }
      String tok = token != null ? token : System.getenv("MLSERVE_ADMIN_TOKEN");
      return AdminClient.connect(server, tok, who);
    }
    Path dir = store != null ? store
        : Path.of(System.getenv().getOrDefault("MLSERVE_STORE", "models"));
    return AdminClient.local(dir, who, limits);
  }

  Output output() {
    if (!output.equals("table") && !output.equals("json")) {
      throw new IllegalArgumentException("--output must be table or json, got " + output);
    }
    return new Output(out, output.equals("json"));
  }

  /** Runs mlctl with {@code args}, printing to the given streams; returns the exit code. */
  public static int run(PrintStream out, PrintStream err, String... args) {
    MlctlMain main = new MlctlMain();
    main.out = out;
    main.err = err;
    CommandLine cl = new CommandLine(main);
    addHelp(cl);
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      err.println("mlctl: " + ErrorMessages.of(ex, main.server));
      return 1;
    });
    return cl.execute(args);
  }

  /** {@code -h/--help} on every subcommand that has no help option of its own. */
  private static void addHelp(CommandLine cl) {
    CommandSpec spec = cl.getCommandSpec();
    if (spec.findOption("--help") == null) {
      spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
          .description("Show this help message and exit.").build());
    }
    cl.getSubcommands().values().forEach(MlctlMain::addHelp);
  }

  public static void main(String[] args) {
    System.exit(run(System.out, System.err, args));
  }
}
