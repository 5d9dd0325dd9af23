package io.mlserve.registry.cli;

import io.mlserve.proto.admin.v1.GetRolloutRequest;
import io.mlserve.proto.admin.v1.ModelRegistryGrpc;
import io.mlserve.proto.admin.v1.Rollout;
import io.mlserve.proto.admin.v1.RolloutActionRequest;
import io.mlserve.proto.admin.v1.RolloutResponse;
import io.mlserve.proto.admin.v1.StartRolloutRequest;
import io.mlserve.registry.grpc.RolloutProtos;
import io.mlserve.store.Names;
import io.mlserve.store.TrafficSplit;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mlctl rollout start|status|pause|resume|abort|promote}: a model's canary rollout,
 * through the admin API (on a store directly or against a server). The steps are judged and
 * advanced by the server's rollout controller; these commands start, inspect and steer it. Not
 * thread-safe (one run).
 */
final class RolloutCommands {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  private RolloutCommands() {}

  @Command(name = "rollout", description = "Canary rollouts: move traffic to a version in"
      + " steps, judged on its own errors, latency and (optionally) feedback; aborted at once"
      + " when a check fails.",
      subcommands = {Start.class, Status.class, Pause.class, Resume.class, Abort.class,
          Promote.class})
  static final class Group {
    @ParentCommand MlctlMain main;
  }

  abstract static class Base implements Callable<Integer> {
    @ParentCommand Group group;
    @Option(names = "--model", required = true) String model;

    @Override
    public Integer call() throws Exception {
      Output out = group.main.output();
      try (AdminClient client = group.main.client()) {
        RolloutResponse r = run(client);
        out.message(g -> RolloutProtos.json(g, r), text(r));
      }
      return 0;
    }

    abstract RolloutResponse run(AdminClient client);

    /** What the command did, e.g. {@code m: rollout of 1.3.0 paused}. */
    abstract String verb();

    private String text(RolloutResponse t) {
      if (!t.getHasRollout()) {
        return t.getModel() + " has no rollout";
      }
      Rollout r = t.getRollout();
      StringBuilder sb = new StringBuilder(t.getModel()).append(": rollout of ")
          .append(r.getCandidate()).append(" from ").append(r.getStable()).append(' ')
          .append(verb()).append(r.getState()).append(" at ")
          .append(TrafficSplit.format(r.getSteps(r.getStep()))).append("% (step ")
          .append(r.getStep() + 1).append(" of ").append(r.getStepsCount()).append(')');
      sb.append("\nsteps ").append(io.mlserve.store.Rollout.spec(r.getStepsList()))
          .append(", bake ")
          .append(r.getBakeMs() % 1000 == 0 ? r.getBakeMs() / 1000 + "s" : r.getBakeMs() + "ms")
          .append(", max error rate ").append(num(r.getMaxErrorRate()))
          .append(", max p95 ").append(num(r.getMaxP95Ms())).append(" ms, min requests ")
          .append(r.getMinRequests());
      if (r.hasMaxDivergence()) {
        sb.append(", max divergence ").append(num(r.getMaxDivergence()));
      }
      if (r.hasMaxFeedbackRegression()) {
        sb.append(", max feedback regression ").append(num(r.getMaxFeedbackRegression()))
            .append(" (min ").append(r.getMinFeedback()).append(" outcomes per arm)");
      }
      if (r.hasPauseAt()) {
        sb.append(", pause at ").append(TrafficSplit.format(r.getPauseAt())).append('%');
      }
      sb.append("\nstep started ").append(Output.time(r.getStepStartedAtMs()))
          .append(", extended ").append(r.getExtensions()).append(" time")
          .append(r.getExtensions() == 1 ? "" : "s");
      if (!r.getLastAnalysis().isEmpty()) {
        sb.append("\nlast analysis: ").append(r.getLastAnalysis());
      }
      if (!r.getAbortReason().isEmpty()) {
        sb.append("\naborted: ").append(r.getAbortReason());
      }
      sb.append('\n').append(t.getTraffic().getHasSplit()
          ? TrafficCommands.Base.table(t.getTraffic())
          : "no traffic split: unversioned requests follow the stage pointers");
      return sb.toString();
    }

    private static String num(double v) {
      return TrafficSplit.format(v);
    }

  }

  /** A command that steers the rollout: a model and an optional reason. */
  abstract static class Steer extends Base {
    @Option(names = "--reason") String reason;
    private final java.util.function.BiFunction<ModelRegistryGrpc.ModelRegistryBlockingStub,
        RolloutActionRequest, RolloutResponse> send;
    private final String verb;

    /**
     * @param send the admin call
     * @param verb what the answer's first line says happened, e.g. {@code "paused: "}
     */
    Steer(java.util.function.BiFunction<ModelRegistryGrpc.ModelRegistryBlockingStub,
        RolloutActionRequest, RolloutResponse> send, String verb) {
      this.send = send;
      this.verb = verb;
    }

    @Override
    final RolloutResponse run(AdminClient client) {
      return send.apply(client.blocking(), RolloutActionRequest.newBuilder().setModel(model)
          .setReason(reason == null ? "" : reason).build());
    }

    @Override
    final String verb() {
      return verb;
    }
  }

  @Command(name = "start", description = "Start rolling out a version from the Production one.")
  static final class Start extends Base {
    @Option(names = "--version", required = true, description = "the candidate version")
    String version;
    @Option(names = "--steps", paramLabel = "PCT,...",
        description = "the candidate's weight at each step (default: 5,25,50,100)")
    String steps;
    @Option(names = "--bake", paramLabel = "DURATION",
        description = "how long each step bakes, e.g. 60s, 5m, 1h (default: 60s)")
    String bake;
    @Option(names = "--max-error-rate", description = "default: 0.01") Double maxErrorRate;
    @Option(names = "--max-p95-ms", description = "default: 200") Double maxP95Ms;
    @Option(names = "--min-requests", description = "fewer in a step's bake extend it"
        + " (default: 100)") Long minRequests;
    @Option(names = "--max-divergence", description = "abort above this divergence from the"
        + " stable version, where one is measured (default: no check)") Double maxDivergence;
    @Option(names = "--max-feedback-regression", paramLabel = "FRACTION",
        description = "abort when the candidate's feedback metric (MAE, RMSE, accuracy, reward)"
            + " is worse than the stable version's by more than this fraction, e.g. 0.05 = 5%"
            + " (default: no check)") Double maxFeedbackRegression;
    @Option(names = "--min-feedback", paramLabel = "N", description = "outcomes each version"
        + " needs for the feedback check; fewer extend the step's bake (default: 30)")
    Long minFeedback;
    @Option(names = "--pause-at", paramLabel = "PCT",
        description = "wait for `mlctl rollout resume` after this step passes") Double pauseAt;
    @Option(names = "--reason") String reason;

    @Override
    RolloutResponse run(AdminClient client) {
      StartRolloutRequest.Builder req = StartRolloutRequest.newBuilder().setModel(model)
          .setVersion(version).setReason(reason == null ? "" : reason);
      if (steps != null) {
        req.addAllSteps(io.mlserve.store.Rollout.parseSteps(steps)); // says what is wrong early
      }
      if (bake != null) {
        req.setBakeMs(bakeMillis(bake));
      }
      if (maxErrorRate != null) {
        req.setMaxErrorRate(maxErrorRate);
      }
      if (maxP95Ms != null) {
        req.setMaxP95Ms(maxP95Ms);
      }
      if (minRequests != null) {
        req.setMinRequests(minRequests);
      }
      if (maxDivergence != null) {
        req.setMaxDivergence(maxDivergence);
      }
      if (maxFeedbackRegression != null) {
        req.setMaxFeedbackRegression(maxFeedbackRegression);
      }
      if (minFeedback != null) {
        req.setMinFeedback(minFeedback);
      }
      if (pauseAt != null) {
        req.setPauseAt(pauseAt);
      }
      return client.blocking().startRollout(req.build());
    }

    @Override
    String verb() {
      return "started: ";
    }
  }

  /**
   * A duration as {@code --bake} takes it: a whole number and a unit, {@code ms}, {@code s},
   * {@code m} or {@code h}.
   *
   * @throws IllegalArgumentException naming the value
   */
  static long bakeMillis(String s) {
    Matcher m = DURATION.matcher(s.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("bake '" + Names.printable(s)
          + "' is not a duration (e.g. 60s, 5m, 1h, 1500ms)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> n;
      case "s" -> n * 1_000;
      case "m" -> n * 60_000;
      default -> n * 3_600_000;
    };
  }

  @Command(name = "status", description = "Show the rollout: state, step, last analysis, split.")
  static final class Status extends Base {
    @Override
    RolloutResponse run(AdminClient client) {
      return client.blocking().getRollout(GetRolloutRequest.newBuilder().setModel(model)
          .build());
    }

    @Override
    String verb() {
      return "";
    }
  }

  @Command(name = "pause", description = "Pause a running rollout; the split stays.")
  static final class Pause extends Steer {
    Pause() {
      super(ModelRegistryGrpc.ModelRegistryBlockingStub::pauseRollout, "paused: ");
    }
  }

  @Command(name = "resume", description = "Resume a paused rollout (its step bakes again), or"
      + " pass its pause-at gate.")
  static final class Resume extends Steer {
    Resume() {
      super(ModelRegistryGrpc.ModelRegistryBlockingStub::resumeRollout, "resumed: ");
    }
  }

  @Command(name = "abort", description = "Abort: the candidate's weight goes to 0 at once.")
  static final class Abort extends Steer {
    Abort() {
      super(ModelRegistryGrpc.ModelRegistryBlockingStub::abortRollout, "aborted: ");
    }
  }

  @Command(name = "promote", description = "Skip to the end: promote the candidate to"
      + " Production and clear the split.")
  static final class Promote extends Steer {
    Promote() {
      super(ModelRegistryGrpc.ModelRegistryBlockingStub::promoteRollout, "promoted: ");
    }
  }
}
