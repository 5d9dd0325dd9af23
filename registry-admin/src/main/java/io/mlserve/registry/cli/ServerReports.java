package io.mlserve.registry.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.grpc.Channel;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.AbstractStub;
import io.mlserve.proto.serving.v1.ExperimentsGrpc;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Calls to a running server's serving services ({@code mlserve.serving.v1.Experiments},
 * {@code Drift}, {@code Alerts}), for the reports whose record lives in the server's memory
 * ({@code mlctl ab report}, {@code mlctl shadow report}, {@code mlctl drift}, {@code mlctl
 * alerts}): they need {@code --server}.
 * Stateless.
 */
final class ServerReports {
  private ServerReports() {}

  /** Writes a report as its one JSON shape. */
  @FunctionalInterface
  interface JsonWriter<T> {
    void write(JsonGenerator g, T report) throws IOException;
  }

  /**
   * Fetches a report from {@code --server} with {@code call} (30 s deadline) and prints it: as
   * {@code json} writes it with {@code --output json}, else with {@code table}.
   *
   * @param needsServer the error when mlctl has no {@code --server}: what the command reads
   */
  static <T> void print(MlctlMain main, String needsServer,
      Function<ExperimentsGrpc.ExperimentsBlockingStub, T> call, JsonWriter<T> json,
      BiConsumer<Output, T> table) throws InterruptedException {
    print(main, needsServer, ExperimentsGrpc::newBlockingStub, call, json, table);
  }

  /** As above, for a call on another serving service's stub (made by {@code stub}). */
  static <S extends AbstractStub<S>, T> void print(MlctlMain main, String needsServer,
      Function<Channel, S> stub, Function<S, T> call, JsonWriter<T> json,
      BiConsumer<Output, T> table) throws InterruptedException {
    Output out = main.output();
    if (main.server == null) {
      throw new IllegalArgumentException(needsServer);
    }
    ManagedChannel channel = Grpc.newChannelBuilder(main.server,
        InsecureChannelCredentials.create()).build();
    T report;
    try {
      report = call.apply(stub.apply(channel).withDeadlineAfter(30, TimeUnit.SECONDS));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (out.json()) {
      out.message(g -> json.write(g, report), null);
    } else {
      table.accept(out, report);
    }
  }

}
