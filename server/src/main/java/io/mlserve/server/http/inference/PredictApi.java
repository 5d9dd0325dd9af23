package io.mlserve.server.http.inference;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.bulk.BulkJob;
import io.mlserve.server.bulk.BulkJobs;
import io.mlserve.server.bulk.ChunkedInference;
import io.mlserve.server.http.route.Endpoint;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.json.Json;
import io.mlserve.server.json.NestedArray;
import io.mlserve.server.json.TensorJson;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.serving.Answer;
import io.mlserve.server.serving.InferenceService;
import io.mlserve.server.serving.ModelRef;
import io.mlserve.server.serving.RequestContext;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.TensorSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The seed's JSON API: {@code POST /api/v1/predict} (one request, one or more rows),
 * {@code POST /api/v1/batch} (many rows, chunked) and the bulk jobs under
 * {@code /api/v1/batch/{job}}. Decodes on the event loop with the streaming parser, hands the
 * request to the {@link InferenceService} and encodes its answer. A request's routing key is
 * its {@code "routing_key"} field, else the {@value #ROUTING_KEY_HEADER} header.
 *
 * <p>This class is thread-safe.
 */
public final class PredictApi {
  /**
   * What the gateway's options say about these routes.
   *
   * @param requestTimeout a request's deadline from arrival; zero for none
   * @param bulkRowThreshold rows above which {@code /api/v1/batch} runs as a background job
   * @param bulkJobWindow chunks a background job keeps queued at once
   */
  public record Settings(java.time.Duration requestTimeout, int bulkRowThreshold,
      int bulkJobWindow) {}

  /** The header a client may send its routing key in (the body's field wins). */
  static final String ROUTING_KEY_HEADER = "X-Mlserve-Routing-Key";

  private final InferenceService service;
  private final Ticker ticker;
  private final Settings options;
  private final BulkJobs jobs;
  private final ChunkedInference.Scheduler scheduler;

  public PredictApi(
      InferenceService service,
      Settings options,
      BulkJobs jobs,
      ChunkedInference.Scheduler scheduler) {
    this.service = Objects.requireNonNull(service, "service");
    this.ticker = service.ticker();
    this.options = Objects.requireNonNull(options, "options");
    this.jobs = Objects.requireNonNull(jobs, "jobs");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  public void register(Routes routes) {
    routes
        .add("POST", "/api/v1/predict", this::predict)
        .addBinary("POST", "/api/v1/batch", this::batch)
        .add("GET", "/api/v1/batch/{job}", this::jobStatus)
        .add("DELETE", "/api/v1/batch/{job}", this::jobDelete);
  }

  private CompletableFuture<HttpReply> predict(HttpCall call) throws IOException {
    PredictRequest req = PredictRequest.parse(call.body().get(), PredictRequest.PREDICT_FIELDS);
    ModelRef ref = ModelRef.fromFields(req.model, req.version, req.stage);
    if (req.input != null && req.inputs != null) {
      throw HttpStatusException.badRequest("give 'input' or 'inputs', not both");
    }
    // Decoded against the signature of the version that answers (set by the decoder).
    boolean[] squeeze = new boolean[1];
    CompletableFuture<Answer> result = service.infer(
        ref, model -> decode(req, model, squeeze), context(call, req.requestId, req.routingKey));
    boolean named = req.inputs != null;
    return Endpoint.then(result, answer -> {
      ServedModel served = answer.model();
      Tensor[] out = answer.outputs();
      List<TensorSpec> outSpecs = served.manifest().signature().outputs();
      return HttpReply.json(200, Json.write(256 + 16 * totalElements(out), g -> {
        g.writeStartObject();
        g.writeStringField("model", served.name());
        g.writeStringField("version", served.version());
        g.writeStringField("request_id", answer.requestId());
        if (named || out.length != 1) {
          g.writeObjectFieldStart("outputs");
          for (int i = 0; i < out.length; i++) {
            g.writeFieldName(outputName(outSpecs, out, i));
            TensorJson.writeNested(g, out[i], squeeze[0]);
          }
          g.writeEndObject();
        } else {
          g.writeFieldName("output");
          TensorJson.writeNested(g, out[0], squeeze[0]);
        }
        g.writeEndObject();
      }));
    }, () -> result.cancel(false));
  }

  /**
   * The request's tensors for {@code model}'s signature; {@code squeeze[0]} says whether the
   * request gave one row without its batch dimension (answered without it too).
   */
  private static List<Tensor> decode(PredictRequest req, ServedModel model, boolean[] squeeze) {
    List<TensorSpec> specs = model.manifest().signature().inputs();
    List<Tensor> tensors = new ArrayList<>();
    if (req.input != null) {
      if (specs.size() != 1) {
        throw HttpStatusException.badRequest("model " + model.label() + " takes "
            + specs.size() + " inputs (" + names(specs)
            + "); send them as \"inputs\": {\"<name>\": [...]}");
      }
      squeeze[0] = oneRow(specs.get(0), req.input);
      tensors.add(tensor(specs.get(0), req.input, squeeze[0]));
    } else if (req.inputs != null) {
      boolean sq = !req.inputs.isEmpty();
      for (Map.Entry<String, NestedArray> e : req.inputs.entrySet()) {
        sq &= oneRow(spec(specs, e.getKey(), model), e.getValue());
      }
      for (Map.Entry<String, NestedArray> e : req.inputs.entrySet()) {
        tensors.add(tensor(spec(specs, e.getKey(), model), e.getValue(), sq));
      }
      squeeze[0] = sq;
    } else {
      throw HttpStatusException.badRequest(specs.size() == 1
          ? "field 'input' is missing (an array of numbers shaped like " + instanceShape(specs.get(0))
              + ", or a list of those)"
          : "field 'inputs' is missing (model " + model.label() + " takes " + names(specs) + ")");
    }
    return tensors;
  }

  private static TensorSpec spec(List<TensorSpec> specs, String name, ServedModel model) {
    return specs.stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> HttpStatusException.badRequest("unknown input '" + name
            + "'; model " + model.label() + " takes " + names(specs)));
  }

  /** The request's context: its deadline, id and routing key (header, else body field). */
  private RequestContext context(HttpCall call, String requestId, String bodyRoutingKey) {
    String key = bodyRoutingKey != null ? bodyRoutingKey : call.header(ROUTING_KEY_HEADER);
    return new RequestContext(deadline(), "http", requestId, key);
  }

  private CompletableFuture<HttpReply> batch(HttpCall call) throws IOException {
    PredictRequest req = BinaryRows.isBinary(call) ? BinaryRows.request(call)
        : PredictRequest.parse(call.body().get(), PredictRequest.BATCH_FIELDS);
    boolean binaryReply = req.binaryRows != null || BinaryRows.wantsBinary(call);
    ModelRef ref = ModelRef.fromFields(req.model, req.version, req.stage);
    RequestContext ctx = context(call, req.requestId, req.routingKey);
    if (ctx.routingKey() == null) {
      // One key for all chunks: a traffic split sends the whole run to one version.
      ctx = ctx.withRoutingKey(Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }
    RequestContext runCtx = ctx;
    CompletableFuture<ServedModel> target = service.target(ref, ctx);
    if (target.isDone() && !target.isCompletedExceptionally()) {
      return runBatch(req, ref, ctx, target.join(), binaryReply); // the run stays cancellable
    }
    return target.thenCompose(model -> runBatch(req, ref, runCtx, model, binaryReply));
  }

  private CompletableFuture<HttpReply> runBatch(PredictRequest req, ModelRef ref,
      RequestContext ctx, ServedModel model, boolean binaryReply) {
    List<TensorSpec> specs = model.manifest().signature().inputs();
    if (specs.size() != 1) {
      throw HttpStatusException.badRequest("model " + model.label() + " takes " + specs.size()
          + " inputs (" + names(specs) + "); /api/v1/batch serves single-input models, use "
          + "/api/v1/predict with \"inputs\"");
    }
    TensorSpec spec = specs.get(0);
    boolean batchable = batchable(spec);
    Tensor input = req.binaryRows != null ? BinaryRows.tensor(spec, batchable, req.binaryRows)
        : jsonRows(req, spec, batchable);
    int total = (int) input.dim(0);
    List<String> outNames = model.manifest().signature().outputs().stream()
        .map(TensorSpec::name).toList();
    if (req.async || total > options.bulkRowThreshold()) {
      return CompletableFuture.completedFuture(startJob(ref, ctx, model, input, batchable, total));
    }
    ChunkedInference run = new ChunkedInference(
        service, ref, ctx, model, input, batchable, Integer.MAX_VALUE, scheduler, 0);
    if (binaryReply) {
      return Endpoint.then(run.start(), chunks -> BinaryRows.reply(chunks, batchable, outNames,
          g -> {
            g.writeStringField("model", model.name());
            writeVersions(g, run.versions(), model.version());
            g.writeStringField("request_id", ctx.requestId());
          }), run::cancel);
    }
    return Endpoint.then(run.start(), chunks -> HttpReply.json(200,
        Json.write(256 + 16 * input.data().length / 4 * 2, g -> {
          g.writeStartObject();
          g.writeStringField("model", model.name());
          writeVersions(g, run.versions(), model.version());
          g.writeStringField("request_id", ctx.requestId());
          g.writeFieldName("predictions");
          TensorJson.writePredictions(g, chunks, batchable, outNames);
          g.writeEndObject();
        })), run::cancel);
  }

  /** The JSON request's {@code instances} as the input tensor. */
  private static Tensor jsonRows(PredictRequest req, TensorSpec spec, boolean batchable) {
    if (req.instances == null) {
      throw HttpStatusException.badRequest("field 'instances' is missing (a list of arrays shaped "
          + "like " + instanceShape(spec) + ")");
    }
    NestedArray rows = req.instances;
    int wantRank = batchable ? spec.shape().size() : spec.shape().size() + 1;
    if (rows.rank() != wantRank || rows.shape()[0] == 0) {
      throw HttpStatusException.badRequest("'instances' must be a non-empty list of arrays shaped "
          + "like " + instanceShape(spec) + " (input '" + spec.name() + "'), got an array of shape "
          + java.util.Arrays.toString(rows.shape()));
    }
    return rows.toTensor(spec.name(), DataType.parse(spec.datatype()), rows.shape());
  }

  /**
   * {@code "version"}: the one that answered; when a reload handed part of a run to another
   * version, also {@code "versions"}: all that answered, in order.
   */
  private static void writeVersions(JsonGenerator g, List<String> answered, String first)
      throws IOException {
    g.writeStringField("version", answered.isEmpty() ? first : answered.get(0));
    if (answered.size() > 1) {
      g.writeArrayFieldStart("versions");
      for (String v : answered) {
        g.writeString(v);
      }
      g.writeEndArray();
    }
  }

  private HttpReply startJob(ModelRef ref, RequestContext ctx, ServedModel model, Tensor input,
      boolean batchable, int total) {
    long bytes = input.data().length + outputBytes(model, total);
    RequestContext jobCtx = new RequestContext(
        Long.MAX_VALUE, ctx.transport(), ctx.requestId(), ctx.routingKey());
    BulkJob job = jobs.add(bytes, id -> new BulkJob(id, new ChunkedInference(service, ref, jobCtx,
        model, input, batchable, options.bulkJobWindow(), scheduler, 20), batchable, bytes));
    job.start(ticker);
    String location = "/api/v1/batch/" + job.id();
    return HttpReply.json(202, Json.write(g -> {
      g.writeStartObject();
      writeJobFields(g, job, job.state());
      g.writeStringField("location", location);
      g.writeEndObject();
    })).withHeader("Location", location);
  }

  private CompletableFuture<HttpReply> jobStatus(HttpCall call) {
    BulkJob job = jobs.get(call.param("job"));
    // State before result: a job stores its result before it turns DONE, so a DONE read here is
    // always answered with its predictions (reading them the other way round raced the finish).
    BulkJob.State state = job.state();
    Tensor[][] result = job.result();
    List<String> outNames = job.outputNames();
    if (result != null && BinaryRows.wantsBinary(call)) {
      return CompletableFuture.completedFuture(BinaryRows.reply(result, job.batchable(), outNames,
          g -> writeJobFields(g, job, state)));
    }
    return CompletableFuture.completedFuture(HttpReply.json(200, Json.write(g -> {
      g.writeStartObject();
      writeJobFields(g, job, state);
      if (result != null) {
        g.writeFieldName("predictions");
        TensorJson.writePredictions(g, result, job.batchable(), outNames);
      }
      g.writeEndObject();
    })));
  }

  private CompletableFuture<HttpReply> jobDelete(HttpCall call) {
    BulkJob job = jobs.delete(call.param("job"));
    return CompletableFuture.completedFuture(HttpReply.json(200, Json.write(g -> {
      g.writeStartObject();
      writeJobFields(g, job, job.state());
      g.writeBooleanField("deleted", true);
      g.writeEndObject();
    })));
  }

  /** The job's fields, with {@code state} as read by the caller (once, before its result). */
  private static void writeJobFields(JsonGenerator g, BulkJob job, BulkJob.State state)
      throws IOException {
    g.writeStringField("job", job.id());
    g.writeStringField("model", job.model());
    writeVersions(g, job.versions(), job.version());
    g.writeStringField("state", state.wire());
    g.writeNumberField("processed", job.processed());
    g.writeNumberField("total", job.total());
    if (job.error() != null) {
      g.writeStringField("error", job.error());
    }
  }

  private long deadline() {
    long timeout = options.requestTimeout().toNanos();
    return timeout == 0 ? Long.MAX_VALUE : ticker.nanoTime() + timeout;
  }

  /** Whether a request gave one row without its batch dimension (answered without it too). */
  private static boolean oneRow(TensorSpec spec, NestedArray given) {
    return batchable(spec) && given.rank() == spec.shape().size() - 1;
  }

  private static Tensor tensor(TensorSpec spec, NestedArray given, boolean addRow) {
    long[] shape = given.shape();
    if (addRow) {
      long[] s = new long[shape.length + 1];
      s[0] = 1;
      System.arraycopy(shape, 0, s, 1, shape.length);
      shape = s;
    }
    return given.toTensor(spec.name(), DataType.parse(spec.datatype()), shape);
  }

  static boolean batchable(TensorSpec spec) {
    return !spec.shape().isEmpty() && spec.shape().get(0) == -1;
  }

  private static String instanceShape(TensorSpec spec) {
    List<Long> s = batchable(spec) ? spec.shape().subList(1, spec.shape().size()) : spec.shape();
    return s.toString();
  }

  private static String names(List<TensorSpec> specs) {
    return String.join(", ", specs.stream().map(TensorSpec::name).toList());
  }

  private static String outputName(List<TensorSpec> specs, Tensor[] out, int i) {
    return i < specs.size() ? specs.get(i).name() : out[i].name();
  }

  private static int totalElements(Tensor[] out) {
    long n = 0;
    for (Tensor t : out) {
      n += Tensor.elementCount(t.shape());
    }
    return (int) Math.min(1 << 24, n);
  }

  /** Bytes the outputs of {@code rows} instances take; unknown dimensions count as 1. */
  private static long outputBytes(ServedModel model, long rows) {
    long perRow = 0;
    for (TensorSpec s : model.manifest().signature().outputs()) {
      long elems = 1;
      List<Long> dims = batchable(s) ? s.shape().subList(1, s.shape().size()) : s.shape();
      for (long d : dims) {
        elems *= Math.max(1, d);
      }
      int size;
      try {
        DataType type = DataType.parse(s.datatype());
        // a BYTES element's size is its string's: counted as a short label (prefix + 12 bytes)
        size = type.isFixedSize() ? type.byteSize() : 16;
      } catch (IllegalArgumentException e) {
        size = 8;
      }
      perRow += elems * size;
    }
    return perRow * rows;
  }
}
