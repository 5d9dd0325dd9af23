package io.mlserve.loadtest;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.mlserve.proto.admin.v1.GetModelRequest;
import io.mlserve.proto.admin.v1.ListVersionsResponse;
import io.mlserve.proto.admin.v1.ModelRegistryGrpc;
import io.mlserve.proto.admin.v1.ModelVersion;
import io.mlserve.proto.admin.v1.PromoteRequest;
import io.mlserve.proto.admin.v1.RollbackRequest;
import io.mlserve.proto.admin.v1.TransitionResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.HistogramLogWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code loadtest reload}: steady open-loop load while an admin thread promotes
 * {@code --promote-version} to Production and rolls it back, {@code --cycles} times, through the
 * admin API on the same gRPC port. Reports the run as {@code run} does, plus every admin call's
 * outcome and which versions answered; exits 0 only when no request and no admin call failed.
 * Not thread-safe; picocli calls it once.
 */
@Command(name = "reload", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Steady load while promoting and rolling back N times; counts failures and"
        + " answers per version.")
final class ReloadCommand implements Callable<Integer> {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  @Spec CommandSpec spec;
  @Mixin TargetOptions target;
  @Mixin OutputOptions output;

  @Option(names = "--rate", defaultValue = "100",
      description = "Steady load, req/s. Default: ${DEFAULT-VALUE}")
  double rate;

  @Option(names = "--promote-version", required = true,
      description = "Version promoted to Production each cycle (then rolled back).")
  String version;

  @Option(names = "--cycles", defaultValue = "3",
      description = "Promote-and-rollback cycles. Default: ${DEFAULT-VALUE}")
  int cycles;

  @Option(names = "--interval", defaultValue = "2s", converter = DurationConverter.class,
      description = "Time between admin calls. Default: ${DEFAULT-VALUE}")
  Duration interval;

  @Option(names = "--admin-target",
      description = "gRPC host:port of the admin API. Default: the --target's (gRPC only).")
  String adminTarget;

  @Option(names = "--admin-token", defaultValue = "${env:MLSERVE_ADMIN_TOKEN}",
      description = "Bearer token for mutating admin calls. Default: $MLSERVE_ADMIN_TOKEN")
  String adminToken;

  @Option(names = "--max-lag", defaultValue = "10ms", converter = DurationConverter.class,
      description = "Generator lateness that counts as falling behind. Default: ${DEFAULT-VALUE}")
  Duration maxLag;

  @Override
  public Integer call() throws Exception {
    if (cycles < 1 || !(rate > 0)) {
      throw new ParameterException(spec.commandLine(), "need --cycles >= 1 and --rate > 0");
    }
    String admin = adminTarget != null ? adminTarget : target.http() ? null : target.grpcAddress();
    if (admin == null) {
      throw new ParameterException(spec.commandLine(),
          "an http:// target needs --admin-target HOST:PORT (the gRPC port)");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LoadOptions l = new LoadOptions();
    l.maxInFlight = 10_000;
    l.maxLag = maxLag;
    Duration window = interval.multipliedBy(2L * cycles + 1);
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    int[] adminFailures = {0};
    String[] adminNotFound = {null};
    ManagedChannel adminChannel = GrpcTarget.open(admin, 1).get(0);
    RunResult result;
    try {
      String missing = checkVersion(adminChannel, TargetOptions.name(target.models.get(0)));
      if (missing != null) {
        adminChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        out.println("  ABORTED     " + missing);
        out.println("  verdict     " + missing);
        out.flush();
        return Slo.EXIT_NOT_FOUND;
      }
    } catch (StatusRuntimeException e) {
      adminChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      String why = "admin API at " + admin + " failed: " + e.getStatus().getCode()
          + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription());
      out.println("  verdict     " + why);
      out.flush();
      return e.getStatus().getCode() == Status.Code.UNAVAILABLE
          || e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED
          ? Slo.EXIT_UNREACHABLE : Slo.EXIT_REFUSED;
    }
    try (Target t = target.open(err)) {
      Thread flipper = new Thread(() -> flip(adminChannel, log, adminFailures,
          adminNotFound), "loadtest-admin");
      flipper.setDaemon(true);
      HistogramLogWriter hlog = output.openHlog();
      try {
        flipper.start();
        result = LoadOptions.load(t, target, l, rate, 0, Duration.ZERO, window, hlog,
            output.progress(err));
        flipper.interrupt();
        flipper.join(10_000);
      } finally {
        if (hlog != null) {
          hlog.close();
        }
      }
    } finally {
      adminChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    TextReport.print(result, out);
    synchronized (log) {
      log.forEach(line -> out.println("  admin       " + line));
    }
    Slo.Verdict verdict = verdict(result, adminFailures[0], adminNotFound[0]);
    String reason = verdict.reason();
    out.println("  verdict     " + (reason == null ? "no failed request, every admin call ok"
        : reason));
    out.flush();
    output.write(result, verdict);
    return verdict.exitCode();
  }

  /**
   * The run's verdict: what reload checks is that no request and no admin call failed. A missing
   * model or version (an admin call answered NOT_FOUND) comes first: it is a setup mistake, and
   * says so whatever else happened; then an aborted run; then failed admin calls and requests.
   * A generator that fell behind does not change the exit code here (it delays sends, it does
   * not make them fail; the report carries it as a warning), unlike {@code run}'s latency check.
   */
  static Slo.Verdict verdict(RunResult result, int adminFailures, String adminNotFound) {
    if (adminNotFound != null) {
      return new Slo.Verdict(Slo.EXIT_NOT_FOUND, adminNotFound);
    }
    if (result.aborted()) {
      return new Slo.Verdict(result.abortExitCode(), result.abortReason());
    }
    List<String> reasons = new ArrayList<>();
    if (adminFailures > 0) {
      reasons.add(adminFailures + " admin call(s) failed (see the admin lines)");
    }
    if (result.failed() > 0) {
      reasons.add(result.failed() + " request(s) failed across the reloads: "
          + TextReport.errors(result.errors()));
    } else if (result.requests() == 0) {
      reasons.add("no request completed");
    }
    return reasons.isEmpty() ? new Slo.Verdict(Slo.EXIT_MET, null)
        : new Slo.Verdict(Slo.EXIT_MISSED, String.join("; ", reasons));
  }

  /**
   * Null when {@code model} has the version to promote; else why not, naming the model, the
   * version and the versions there are. Throws the admin call's failure otherwise.
   */
  private String checkVersion(ManagedChannel channel, String model) {
    ListVersionsResponse versions;
    try {
      versions = ModelRegistryGrpc.newBlockingStub(channel).withDeadlineAfter(
              target.connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .listVersions(GetModelRequest.newBuilder().setModel(model).build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return "model '" + model + "' not found on the server: "
            + e.getStatus().getDescription();
      }
      throw e;
    }
    List<String> have = new ArrayList<>();
    for (ModelVersion v : versions.getVersionsList()) {
      if (v.getVersion().equals(version)) {
        return null;
      }
      have.add(v.getVersion() + " (" + v.getStage() + ")");
    }
    return "model '" + model + "' has no version '" + version + "' to promote; it has "
        + (have.isEmpty() ? "none" : String.join(", ", have));
  }

  private void flip(ManagedChannel channel, List<String> log, int[] failures,
      String[] notFound) {
    ModelRegistryGrpc.ModelRegistryBlockingStub stub = ModelRegistryGrpc.newBlockingStub(channel);
    if (adminToken != null && !adminToken.isBlank()) {
      Metadata md = new Metadata();
      md.put(AUTHORIZATION, "Bearer " + adminToken.trim());
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }
    String model = TargetOptions.name(target.models.get(0));
    long start = System.nanoTime();
    try {
      for (int c = 1; c <= cycles; c++) {
        Thread.sleep(interval.toMillis());
        admin(log, failures, notFound, start, "promote " + version + " (cycle " + c + ")", stub,
            true, model);
        Thread.sleep(interval.toMillis());
        admin(log, failures, notFound, start, "rollback (cycle " + c + ")", stub, false, model);
      }
    } catch (InterruptedException e) {
      log.add("stopped early: the load phase ended first");
    }
  }

  private void admin(List<String> log, int[] failures, String[] notFound, long start,
      String what,
      ModelRegistryGrpc.ModelRegistryBlockingStub stub, boolean promote, String model) {
    double at = (System.nanoTime() - start) / 1e9;
    try {
      ModelRegistryGrpc.ModelRegistryBlockingStub s = stub.withDeadlineAfter(30, TimeUnit.SECONDS);
      TransitionResponse r = promote
          ? s.promote(PromoteRequest.newBuilder().setModel(model).setVersion(version)
              .setStage("Production").setReason("loadtest reload").build())
          : s.rollback(RollbackRequest.newBuilder().setModel(model)
              .setReason("loadtest reload").build());
      log.add(String.format(Locale.ROOT, "%6.2fs %s: ok, Production %s (was %s)", at, what,
          r.getVersion(), r.getPreviousVersion()));
    } catch (StatusRuntimeException e) {
      synchronized (failures) {
        failures[0]++;
        if (e.getStatus().getCode() == Status.Code.NOT_FOUND && notFound[0] == null) {
          notFound[0] = what + ": NOT_FOUND " + e.getStatus().getDescription();
        }
      }
      log.add(String.format(Locale.ROOT, "%6.2fs %s: FAILED %s %s", at, what,
          e.getStatus().getCode(), e.getStatus().getDescription()));
    }
  }
}
