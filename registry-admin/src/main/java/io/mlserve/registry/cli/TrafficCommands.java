package io.mlserve.registry.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mlserve.proto.admin.v1.ClearTrafficRequest;
import io.mlserve.proto.admin.v1.GetTrafficRequest;
import io.mlserve.proto.admin.v1.SetTrafficRequest;
import io.mlserve.proto.admin.v1.TrafficArm;
import io.mlserve.proto.admin.v1.TrafficResponse;
import io.mlserve.registry.grpc.AdminJsonFormat;
import io.mlserve.store.TrafficSplit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mlctl traffic set|show|clear}: a model's traffic split, through the admin API (so on a
 * store directly or against a server, like every mlctl command). Not thread-safe (one run).
 */
final class TrafficCommands {
  private TrafficCommands() {}

  @Command(name = "traffic", description = "Split a model's unversioned traffic over versions"
      + " (A/B tests, canaries).", subcommands = {Set.class, Show.class, Clear.class})
  static final class Group {
    @ParentCommand MlctlMain main;
  }

  abstract static class Base extends ModelCall<TrafficResponse> {
    @ParentCommand Group group;

    @Override
    final MlctlMain main() {
      return group.main;
    }

    @Override
    final void json(JsonGenerator g, TrafficResponse t) throws IOException {
      AdminJsonFormat.traffic(g, t);
    }

    abstract String headline(TrafficResponse t);

    @Override
    final String text(TrafficResponse t) {
      StringBuilder sb = new StringBuilder(headline(t));
      if (!t.getHasSplit()) {
        return sb.toString();
      }
      if (t.getSeq() > 0) {
        sb.append("\nset by ").append(t.getActor().isEmpty() ? "-" : t.getActor()).append(" at ")
            .append(Output.time(t.getUpdatedAtMs()))
            .append(t.getReason().isEmpty() ? "" : ": " + t.getReason());
      }
      return sb.append('\n').append(table(t)).toString();
    }

    /** The split as a VERSION / WEIGHT / BUCKETS table. */
    static String table(TrafficResponse t) {
      List<List<String>> rows = new ArrayList<>();
      for (TrafficArm a : t.getArmsList()) {
        rows.add(List.of(a.getVersion(), TrafficSplit.format(a.getWeight()) + "%",
            String.valueOf(a.getBuckets())));
      }
      return Output.render(List.of("VERSION", "WEIGHT", "BUCKETS"), rows);
    }

    static String spec(TrafficResponse t) {
      StringBuilder sb = new StringBuilder();
      for (TrafficArm a : t.getArmsList()) {
        sb.append(sb.length() == 0 ? "" : ",").append(a.getVersion()).append('=')
            .append(TrafficSplit.format(a.getWeight()));
      }
      return sb.toString();
    }

    static String none(TrafficResponse t) {
      return t.getModel() + " has no traffic split: unversioned requests follow the stage"
          + " pointers";
    }
  }

  @Command(name = "set", description = "Set the split, e.g. --split 1.2.0=90,1.3.0=10 (percent,"
      + " adding up to 100; a weight of 0 names a version without traffic).")
  static final class Set extends Base {
    @Option(names = "--split", required = true, paramLabel = "V=PCT,...",
        description = "versions and their percentages, e.g. 1.2.0=90,1.3.0=10")
    String split;
    @Option(names = "--reason") String reason;

    @Override
    TrafficResponse run(AdminClient client) {
      Map<String, Double> weights = TrafficSplit.parseWeights(split); // says what is wrong early
      SetTrafficRequest.Builder req = SetTrafficRequest.newBuilder().setModel(model)
          .setReason(reason == null ? "" : reason);
      weights.forEach((v, w) -> req.addArms(TrafficArm.newBuilder().setVersion(v).setWeight(w)));
      return client.blocking().setTraffic(req.build());
    }

    @Override
    String headline(TrafficResponse t) {
      return t.getModel() + ": traffic split set to " + spec(t);
    }
  }

  @Command(name = "show", description = "Show the split and who set it, when and why.")
  static final class Show extends Base {
    @Override
    TrafficResponse run(AdminClient client) {
      return client.blocking().getTraffic(GetTrafficRequest.newBuilder().setModel(model).build());
    }

    @Override
    String headline(TrafficResponse t) {
      return t.getHasSplit() ? t.getModel() + ": traffic split " + spec(t) : none(t);
    }
  }

  @Command(name = "clear", description = "Remove the split: unversioned requests follow the"
      + " stage pointers again.")
  static final class Clear extends Base {
    @Option(names = "--reason") String reason;

    @Override
    TrafficResponse run(AdminClient client) {
      return client.blocking().clearTraffic(ClearTrafficRequest.newBuilder().setModel(model)
          .setReason(reason == null ? "" : reason).build());
    }

    @Override
    String headline(TrafficResponse t) {
      return none(t);
    }
  }
}
