package io.mlserve.registry.cli;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mlserve.proto.admin.v1.Event;
import io.mlserve.proto.admin.v1.ModelRegistryGrpc;
import io.mlserve.proto.admin.v1.WatchEventsRequest;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mlctl events [--since SEQ] [--follow]}: prints events after SEQ (one JSON line each
 * with --output json: the events.jsonl line). Without --follow it asks the server to mark the
 * end of the backlog and stops there, however long the server takes to send it (up to
 * --timeout); with --follow it keeps printing new events until interrupted. Never exits 0
 * without having heard from the server: a failed connection, a stream that ends early and a
 * timeout are errors, and an empty backlog is said on stderr.
 */
@Command(name = "events", description = "Print the events after --since; --follow keeps"
    + " streaming new ones.")
final class EventsCommand implements Callable<Integer> {
  @ParentCommand MlctlMain main;
  @Option(names = "--since", paramLabel = "SEQ", defaultValue = "0",
      description = "print events with a greater seq (default: 0, all)") long since;
  @Option(names = "--follow", description = "keep streaming new events") boolean follow;
  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
      description = "without --follow: how long the server may take to send the backlog"
          + " (default: 60)") long timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    if (timeoutSeconds <= 0) {
      throw new IllegalArgumentException("--timeout must be positive, got " + timeoutSeconds);
    }
    Output out = main.output();
    try (AdminClient client = main.client()) {
      ModelRegistryGrpc.ModelRegistryBlockingStub stub = follow ? client.blocking()
          : client.blocking().withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS);
      WatchEventsRequest req = WatchEventsRequest.newBuilder().setSinceSeq(since)
          .setReportCaughtUp(!follow).build();
      Context.CancellableContext ctx = Context.current().withCancellation();
      try {
        return ctx.call(() -> print(stub, req, out));
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
          throw new IllegalStateException("the server did not finish sending the events within "
              + timeoutSeconds + " s (raise --timeout; a server older than this mlctl never"
              + " marks the end of the backlog: use --follow with it)", e);
        }
        throw e;
      } finally {
        ctx.cancel(null);
      }
    }
  }

  private int print(ModelRegistryGrpc.ModelRegistryBlockingStub stub, WatchEventsRequest req,
      Output out) {
    int printed = 0;
    Iterator<Event> events = stub.watchEvents(req);
    while (events.hasNext()) {
      Event e = events.next();
      if (e.getCaughtUp()) {
        if (printed == 0) {
          main.err.println("mlctl: no events after seq " + since);
        }
        return 0;
      }
      printed++;
      if (out.json()) {
        out.line(e.getJson());
      } else {
        out.line(String.format("%6d  %s  %-26s %s:%s%s%s", e.getSeq(),
            Output.time(e.getTimestamp()), e.getEventType(), e.getModelName(),
            e.getVersion().isEmpty() ? e.getRunId() : e.getVersion(),
            e.getStage().isEmpty() ? "" : " " + e.getStage(),
            e.getPreviousVersion().isEmpty() ? "" : " (previous " + e.getPreviousVersion()
                + ")"));
      }
    }
    throw new IllegalStateException("the server ended the event stream"
        + (follow ? "" : " before the end of the backlog") + " after " + printed + " event(s)");
  }
}
