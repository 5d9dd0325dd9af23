package io.mlserve.registry.cli;

import io.mlserve.proto.admin.v1.FeatureStats;
import io.mlserve.proto.admin.v1.GetReferenceRequest;
import io.mlserve.proto.admin.v1.Reference;
import io.mlserve.proto.admin.v1.ReferencesGrpc;
import io.mlserve.proto.admin.v1.SetReferenceRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mlctl reference set|show}: a version's drift reference profile, the baseline the
 * server's drift monitor compares live inputs and outputs with.
 */
final class ReferenceCommands {
  private ReferenceCommands() {}

  @Command(name = "reference", description = "A version's drift reference profile"
      + " (reference.json): per input and output feature, statistics and quantile bins.",
      subcommands = {SetReference.class, ShowReference.class})
  static final class Group {
    @ParentCommand MlctlMain main;
  }

  abstract static class Base implements Callable<Integer> {
    @ParentCommand Group group;
    @Option(names = "--model", required = true) String model;
    @Option(names = "--version", required = true) String version;

    @Override
    public Integer call() throws Exception {
      Output out = group.main.output();
      try (AdminClient client = group.main.client()) {
        run(ReferencesGrpc.newBlockingStub(client.channel()), out);
      }
      return 0;
    }

    abstract void run(ReferencesGrpc.ReferencesBlockingStub references, Output out);
  }

  @Command(name = "set", description = "Compute a version's reference profile from a dataset"
      + " (inputs from its rows, outputs from the version's predictions on them) and store it.")
  static final class SetReference extends Base {
    @Option(names = "--dataset", required = true, paramLabel = "NAME|run:ID/PATH",
        description = "a dataset of the model, or a dataset file among a run's artifacts")
    String dataset;
    @Option(names = "--replace", description = "replace an existing profile") boolean replace;

    @Override
    void run(ReferencesGrpc.ReferencesBlockingStub references, Output out) {
      Reference r = references.setReference(SetReferenceRequest.newBuilder().setModel(model)
          .setVersion(version).setDataset(dataset).setReplace(replace).build());
      if (out.json()) {
        out.line(r.getProfileJson());
        return;
      }
      out.line("reference of " + r.getModel() + ":" + r.getVersion() + " set: " + summary(r));
    }
  }

  @Command(name = "show", description = "Show a version's reference profile: per feature mean,"
      + " std, min, max and bins (--output json: the whole reference.json).")
  static final class ShowReference extends Base {
    @Override
    void run(ReferencesGrpc.ReferencesBlockingStub references, Output out) {
      Reference r = references.getReference(GetReferenceRequest.newBuilder().setModel(model)
          .setVersion(version).build());
      if (out.json()) {
        out.line(r.getProfileJson());
        return;
      }
      out.line(r.getModel() + ":" + r.getVersion() + " reference: " + summary(r)
          + ", computed " + Output.time(r.getCreatedAtMs()));
      List<List<String>> rows = new ArrayList<>();
      add(rows, "input", r.getInputsList());
      add(rows, "output", r.getOutputsList());
      out.table(List.of("FEATURE", "SIDE", "COUNT", "MISSING", "MEAN", "STD", "MIN", "MAX",
          "BINS"), rows);
    }

    private static void add(List<List<String>> rows, String side, List<FeatureStats> features) {
      for (FeatureStats f : features) {
        rows.add(List.of(f.getName(), side, String.valueOf(f.getCount()),
            String.valueOf(f.getMissing()), Output.number(f.getMean()),
            Output.number(f.getStd()), Output.number(f.getMin()), Output.number(f.getMax()),
            String.valueOf(f.getBins())));
      }
    }
  }

  /**
   * {@code 1000 rows from dataset:train_sample@9f2c..; 24 input features, 24 output features},
   * saying so when the outputs were not profiled.
   */
  static String summary(Reference r) {
    String source = r.getSource();
    int at = source.indexOf('@');
    if (at > 0 && source.length() > at + 13) {
      source = source.substring(0, at + 13); // a sha256 cut to 12 characters, as elsewhere
    }
    return r.getRows() + " rows from " + source + "; " + r.getInputsCount() + " input features, "
        + (r.getOutputsCount() > 0 ? r.getOutputsCount() + " output features"
            : "outputs not profiled (no inference engine where it was computed; the server"
                + " takes the outputs' reference from the first live rows)");
  }
}
