package io.mlserve.server.http.admin;

import io.mlserve.dataset.DatasetExistsException;
import io.mlserve.dataset.DatasetFormat;
import io.mlserve.dataset.DatasetInfo;
import io.mlserve.dataset.DatasetStore;
import io.mlserve.dataset.DatasetTooLargeException;
import io.mlserve.proto.admin.v1.ListDatasetsResponse;
import io.mlserve.registry.grpc.DatasetProtos;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.json.Json;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The dataset routes under {@code /api/v1/models/{model}/datasets}, the REST face of the admin
 * gRPC {@code Datasets} service over the same {@link DatasetStore}: {@code GET} lists,
 * {@code GET .../{name}} shows one record, and {@code PUT .../{name}?format=jsonl|npz|csv}
 * (token-protected; {@code description} optional) adds the request body as the dataset's file,
 * answering 201 with its record, 409 when the name exists, 400 naming the line or array and
 * row at fault, 413 past the store's limit. The gateway holds a body whole and bounds it
 * (its largest request, 413 beyond); larger files go through gRPC {@code AddDataset}, which
 * streams ({@code mlctl dataset add}). Answers have the shape {@code mlctl --output json}
 * prints. Thread-safe.
 */
final class AdminDatasets {
  private static final Set<String> QUERY = Set.of("format", "description");

  private final DatasetStore datasets; // null: disabled
  private final AdminCalls calls;

  AdminDatasets(DatasetStore datasets, AdminCalls calls) {
    this.datasets = datasets;
    this.calls = calls;
  }

  void register(Routes routes, String base) {
    routes
        .add("GET", base, c -> calls.read(() -> {
          ListDatasetsResponse r = ListDatasetsResponse.newBuilder().addAllDatasets(
              datasets.list(c.param("model")).stream().map(DatasetProtos::dataset).toList())
              .build();
          return HttpReply.json(200, Json.write(1024, g -> DatasetProtos.datasets(g, r)));
        }))
        .add("GET", base + "/{name}", c -> calls.read(() ->
            reply(200, datasets.get(c.param("model"), c.param("name")))))
        .addBinary("PUT", base + "/{name}", this::add);
  }

  private CompletableFuture<HttpReply> add(HttpCall c) throws Exception {
    String actor = calls.authorize(c);
    for (String q : c.query().keySet()) {
      if (!QUERY.contains(q)) {
        throw HttpStatusException.badRequest("unknown query parameter '" + q
            + "'; allowed: description, format");
      }
    }
    String f = c.queryParam("format");
    if (f == null) {
      throw HttpStatusException.badRequest("query parameter 'format' is required: jsonl, npz"
          + " or csv");
    }
    DatasetFormat format = DatasetFormat.parse(f);
    byte[] body;
    try (InputStream in = c.body().get()) {
      body = in.readAllBytes(); // the stream is only valid during this call
    }
    String model = c.param("model");
    String name = c.param("name");
    String description = c.queryParam("description");
    return calls.write(() -> {
      DatasetInfo d;
      try {
        d = datasets.add(model, name, format, new ByteArrayInputStream(body), description,
            actor);
      } catch (DatasetExistsException e) {
        throw new HttpStatusException(409, e.getMessage());
      } catch (DatasetTooLargeException e) {
        throw new HttpStatusException(413, e.getMessage());
      }
      return reply(201, d).withHeader("Location", "/api/v1/models/" + encode(model)
          + "/datasets/" + encode(name));
    });
  }

  private static HttpReply reply(int status, DatasetInfo d) {
    return HttpReply.json(status, Json.write(1024,
        g -> DatasetProtos.dataset(g, DatasetProtos.dataset(d))));
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
