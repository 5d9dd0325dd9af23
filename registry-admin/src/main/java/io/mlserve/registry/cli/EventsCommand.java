package io.mlserve.registry.cli;

import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.admin.v1.Event;
import io.mlserve.proto.admin.v1.WatchEventsRequest;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mlctl events [--since SEQ] [--follow]}: prints events after SEQ (one JSON line each
 * with --output json: the events.jsonl line), and with --follow keeps printing new ones until
 * interrupted. Without --follow it stops once the backlog is printed (no event for a short
 * quiet period after the last one).
 */
@Command(name = "events", description = "Print the event log; --follow streams new events.")
final class EventsCommand implements Callable<Integer> {
  private static final Object END = new Object();

  @ParentCommand MlctlMain main;
  @Option(names = "--since", paramLabel = "SEQ", defaultValue = "0") long since;
  @Option(names = "--follow", description = "keep streaming new events") boolean follow;
  @Option(names = "--quiet-ms", defaultValue = "500", hidden = true) long quietMs;

  @Override
  public Integer call() throws Exception {
    Output out = main.output();
    BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    try (AdminClient client = main.client()) {
      Context.CancellableContext ctx = Context.current().withCancellation();
      try {
        ctx.run(() -> client.async().watchEvents(WatchEventsRequest.newBuilder()
            .setSinceSeq(since).build(), new StreamObserver<>() {
              @Override
              public void onNext(Event e) {
                queue.add(e);
              }

              @Override
              public void onError(Throwable t) {
                queue.add(t);
              }

              @Override
              public void onCompleted() {
                queue.add(END);
              }
            }));
        while (true) {
          Object o = follow ? queue.take() : queue.poll(quietMs, TimeUnit.MILLISECONDS);
          if (o == null || o == END) {
            return 0;
          }
          if (o instanceof Throwable t) {
            throw t instanceof Exception ex ? ex : new RuntimeException(t);
          }
          Event e = (Event) o;
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
      } finally {
        ctx.cancel(null);
      }
    }
  }
}
