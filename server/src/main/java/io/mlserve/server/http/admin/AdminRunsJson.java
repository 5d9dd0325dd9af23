package io.mlserve.server.http.admin;

import io.mlserve.experiments.Run;
import io.mlserve.registry.grpc.AdminJsonFormat;
import io.mlserve.registry.grpc.AdminProtos;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.json.Json;
import java.util.List;

/**
 * The JSON answers of {@link AdminRuns}: a run as {@link AdminJsonFormat#run} writes it (the
 * shape {@code mlctl --output json} prints: snake_case, times in epoch milliseconds,
 * {@code end_time} null while running, metrics as series of {@code {step, value, timestamp}}).
 * Stateless; thread-safe.
 */
final class AdminRunsJson {
  private AdminRunsJson() {}

  static HttpReply run(int status, Run r) {
    var run = AdminProtos.run(r);
    return HttpReply.json(status, Json.write(512, g -> AdminJsonFormat.run(g, run)));
  }

  /** {@code {"model": m, "runs": [run...]}}, oldest first. */
  static HttpReply runs(String model, List<Run> runs) {
    var all = runs.stream().map(AdminProtos::run).toList();
    return HttpReply.json(200, Json.write(1024, g -> AdminJsonFormat.runs(g, model, all)));
  }

  /** The runs side by side, as {@link AdminJsonFormat#compare} writes them. */
  static HttpReply compare(String model, List<Run> runs) {
    var all = runs.stream().map(AdminProtos::run).toList();
    return HttpReply.json(200, Json.write(1024, g -> AdminJsonFormat.compare(g, model, all)));
  }
}
