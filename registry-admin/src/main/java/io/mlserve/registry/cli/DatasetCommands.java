package io.mlserve.registry.cli;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.mlserve.dataset.DatasetFormat;
import io.mlserve.dataset.DatasetLimits;
import io.mlserve.proto.admin.v1.Dataset;
import io.mlserve.proto.admin.v1.DatasetChunk;
import io.mlserve.proto.admin.v1.DatasetHeader;
import io.mlserve.proto.admin.v1.GetDatasetRequest;
import io.mlserve.proto.admin.v1.ListDatasetsRequest;
import io.mlserve.proto.admin.v1.ListDatasetsResponse;
import io.mlserve.registry.Sha256;
import io.mlserve.registry.grpc.DatasetProtos;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code mlctl dataset add|list|show}: a model's evaluation datasets. */
final class DatasetCommands {
  private DatasetCommands() {}

  @Command(name = "dataset", description = "Evaluation datasets kept with a model (JSONL, NumPy"
      + " .npz or CSV; immutable; every row checked against the model's inputs).",
      subcommands = {Add.class, ListDatasets.class, Show.class})
  static final class Group {
    @ParentCommand MlctlMain main;
  }

  abstract static class Base implements Callable<Integer> {
    @ParentCommand Group group;
    @Option(names = "--model", required = true) String model;

    @Override
    public Integer call() throws Exception {
      Output out = group.main.output();
      try (AdminClient client = group.main.client(limits())) {
        run(client, out);
      }
      return 0;
    }

    DatasetLimits limits() {
      return DatasetLimits.defaults();
    }

    abstract void run(AdminClient client, Output out) throws Exception;
  }

  @Command(name = "add", description = "Add a dataset from a file: .jsonl ({\"input\": [...],"
      + " \"label\": ...} a line), .npz (arrays input and label) or .csv (a header, label"
      + " column(s) named label or label_<i>).")
  static final class Add extends Base {
    @Option(names = "--name", required = true, description = "the dataset's name") String name;
    @Option(names = "--file", required = true, paramLabel = "FILE") Path file;
    @Option(names = "--format", description = "jsonl|npz|csv (default: from the file name)")
    String format;
    @Option(names = "--description") String description;
    @Option(names = "--max-bytes", paramLabel = "N", description = "largest file to send"
        + " (default: 4 GiB; with --store also the limit applied; a server applies its own)")
    long maxBytes = DatasetLimits.DEFAULT_MAX_BYTES;

    @Override
    DatasetLimits limits() {
      return DatasetLimits.defaults().withMaxBytes(maxBytes);
    }

    @Override
    void run(AdminClient client, Output out) throws Exception {
      DatasetFormat f = format != null ? DatasetFormat.parse(format)
          : DatasetFormat.fromFileName(file.getFileName().toString());
      long size = Files.size(file);
      if (size > maxBytes) {
        throw new IllegalArgumentException(file + " is " + size + " bytes, larger than"
            + " --max-bytes " + maxBytes);
      }
      DatasetHeader.Builder h = DatasetHeader.newBuilder().setModel(model).setName(name)
          .setFormat(f.id()).setSha256(Sha256.hexOfFile(file));
      if (description != null) {
        h.setDescription(description);
      }
      CompletableFuture<Dataset> result = new CompletableFuture<>();
      StreamObserver<DatasetChunk> up =
          client.datasetsAsync().addDataset(ModelCommands.observer(result));
      up.onNext(DatasetChunk.newBuilder().setHeader(h).build());
      try (InputStream in = Files.newInputStream(file)) {
        byte[] buf = new byte[1 << 20];
        for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0 && !result.isDone(); ) {
          up.onNext(DatasetChunk.newBuilder().setData(ByteString.copyFrom(buf, 0, n)).build());
        }
      } catch (RuntimeException | java.io.IOException e) {
        up.onError(e);
        throw e;
      }
      up.onCompleted();
      Dataset d = Streams.await(result);
      out.message(g -> DatasetProtos.dataset(g, d), "added dataset " + d.getModel() + "/"
          + d.getName() + ": " + d.getRows() + " rows, " + d.getFormat() + ", sha256 "
          + d.getSha256() + " (checked against " + d.getCheckedAgainst() + ")");
    }
  }

  @Command(name = "list", description = "List a model's datasets.")
  static final class ListDatasets extends Base {
    @Override
    void run(AdminClient client, Output out) {
      ListDatasetsResponse r = client.datasets().listDatasets(
          ListDatasetsRequest.newBuilder().setModel(model).build());
      if (out.json()) {
        out.message(g -> DatasetProtos.datasets(g, r), null);
        return;
      }
      List<List<String>> rows = new ArrayList<>();
      for (Dataset d : r.getDatasetsList()) {
        rows.add(List.of(d.getName(), d.getFormat(), String.valueOf(d.getRows()),
            inputs(d), d.getLabelWidth() + " " + d.getLabelKind(), String.valueOf(d.getBytes()),
            d.getSha256().substring(0, Math.min(12, d.getSha256().length())),
            d.getCreatedAt()));
      }
      out.table(List.of("NAME", "FORMAT", "ROWS", "INPUTS", "LABEL", "BYTES", "SHA256",
          "CREATED"), rows);
    }
  }

  @Command(name = "show", description = "Show one dataset's record.")
  static final class Show extends Base {
    @Option(names = "--name", required = true) String name;

    @Override
    void run(AdminClient client, Output out) {
      Dataset d = client.datasets().getDataset(GetDatasetRequest.newBuilder().setModel(model)
          .setName(name).build());
      out.message(g -> DatasetProtos.dataset(g, d), Output.render(List.of("FIELD", "VALUE"),
          List.of(List.of("name", d.getName()), List.of("model", d.getModel()),
              List.of("format", d.getFormat()), List.of("rows", String.valueOf(d.getRows())),
              List.of("inputs", inputs(d)),
              List.of("label", d.getLabelWidth() + " value(s) a row, " + d.getLabelKind()),
              List.of("bytes", String.valueOf(d.getBytes())), List.of("sha256", d.getSha256()),
              List.of("checked_against", d.getCheckedAgainst()),
              List.of("created_at", d.getCreatedAt()), List.of("actor", d.getActor()),
              List.of("description", d.getDescription()))));
    }
  }

  /** {@code curve FP32 [24]; ...}. */
  private static String inputs(Dataset d) {
    StringBuilder sb = new StringBuilder();
    for (var in : d.getInputsList()) {
      sb.append(sb.length() == 0 ? "" : "; ").append(in.getName()).append(' ')
          .append(in.getDatatype()).append(' ').append(in.getShapeList());
    }
    return sb.toString();
  }
}
