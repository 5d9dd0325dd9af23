package io.mlserve.server.http.inference;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.ServerState;
import io.mlserve.server.http.route.Endpoint;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.json.Json;
import io.mlserve.server.json.JsonTensors;
import io.mlserve.server.json.TensorJson;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.serving.Answer;
import io.mlserve.server.serving.InferenceService;
import io.mlserve.server.serving.ModelRef;
import io.mlserve.server.serving.RequestContext;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.triton.TritonExtensions;
import io.mlserve.server.triton.shm.SharedMemoryRegistry;
import io.mlserve.server.triton.shm.SharedMemoryRest;
import io.mlserve.server.triton.shm.ShmRef;
import io.mlserve.server.triton.shm.ShmRequest;
import io.mlserve.store.Manifest;
import io.mlserve.store.TensorSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The Open Inference Protocol v2 over REST ({@code /v2/...}): server and model metadata,
 * liveness and readiness, and inference with the JSON tensor format. Requests are read as a
 * Jackson tree (these bodies carry their own shapes and types), answers are streamed.
 *
 * <p>This class is thread-safe.
 */
public final class OipRestApi {
  private final InferenceService service;
  private final ServerState state;
  private final Ticker ticker;
  private final String serverVersion;
  private final Duration timeout;
  private final SharedMemoryRegistry sharedMemory;

  public OipRestApi(
      InferenceService service, ServerState state, String serverVersion, Duration timeout) {
    this(service, state, serverVersion, timeout, SharedMemoryRegistry.disabled());
  }

  /** @param sharedMemory the regions tensors may name (Triton's shared-memory extension) */
  public OipRestApi(InferenceService service, ServerState state, String serverVersion,
      Duration timeout, SharedMemoryRegistry sharedMemory) {
    this.sharedMemory = Objects.requireNonNull(sharedMemory, "sharedMemory");
    this.service = Objects.requireNonNull(service, "service");
    this.state = Objects.requireNonNull(state, "state");
    this.ticker = service.ticker();
    this.serverVersion = Objects.requireNonNull(serverVersion, "serverVersion");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  public void register(Routes routes) {
    new TritonModelApi(service).register(routes); // first: "/v2/models/stats" is no model
    routes
        .add("GET", "/v2", c -> done(serverMetadata()))
        .add("GET", "/v2/health/live", c -> done(flag("live", state.live())))
        .add("GET", "/v2/health/ready", c -> done(flag("ready", state.ready())))
        .add("GET", "/v2/models/{model}", c -> done(metadata(model(c))))
        .add("GET", "/v2/models/{model}/versions/{version}", c -> done(metadata(model(c))))
        .add("GET", "/v2/models/{model}/ready", c -> done(ready(model(c))))
        .add("GET", "/v2/models/{model}/versions/{version}/ready", c -> done(ready(model(c))))
        // Triton's binary tensor data extension sends application/octet-stream (BinaryInferRequest)
        .addBinary("POST", "/v2/models/{model}/infer", this::infer)
        .addBinary("POST", "/v2/models/{model}/versions/{version}/infer", this::infer);
  }

  private static CompletableFuture<HttpReply> done(HttpReply r) {
    return CompletableFuture.completedFuture(r);
  }

  private ServedModel model(HttpCall c) {
    return service.loaded(ref(c));
  }

  private static ModelRef ref(HttpCall c) {
    return ModelRef.fromVersionField(c.param("model"), c.param("version"));
  }

  private HttpReply serverMetadata() {
    return HttpReply.json(200, Json.write(g -> {
      g.writeStartObject();
      g.writeStringField("name", "mlserve");
      g.writeStringField("version", serverVersion);
      g.writeArrayFieldStart("extensions");
      for (String extension : TritonExtensions.IMPLEMENTED) {
        g.writeString(extension);
      }
      g.writeEndArray();
      g.writeEndObject();
    }));
  }

  private static HttpReply flag(String name, boolean value) {
    return HttpReply.json(value ? 200 : 503, Json.write(g -> {
      g.writeStartObject();
      g.writeBooleanField(name, value);
      g.writeEndObject();
    }));
  }

  private HttpReply ready(ServedModel m) {
    boolean ready = state.live();
    return HttpReply.json(ready ? 200 : 503, Json.write(g -> {
      g.writeStartObject();
      g.writeStringField("name", m.name());
      g.writeStringField("version", m.version());
      g.writeBooleanField("ready", ready);
      g.writeEndObject();
    }));
  }

  private HttpReply metadata(ServedModel m) {
    Manifest mf = m.manifest();
    List<String> versions = service.router().versions(m.name());
    return HttpReply.json(200, Json.write(g -> {
      g.writeStartObject();
      g.writeStringField("name", m.name());
      g.writeArrayFieldStart("versions");
      for (String v : versions) {
        g.writeString(v);
      }
      g.writeEndArray();
      g.writeStringField("platform", mf.platform() == null ? "pytorch_libtorch" : mf.platform());
      writeSpecs(g, "inputs", mf.signature().inputs());
      writeSpecs(g, "outputs", mf.signature().outputs());
      g.writeEndObject();
    }));
  }

  private static void writeSpecs(JsonGenerator g, String field, List<TensorSpec> specs)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (TensorSpec s : specs) {
      g.writeStartObject();
      g.writeStringField("name", s.name());
      g.writeStringField("datatype", s.datatype());
      g.writeArrayFieldStart("shape");
      for (long d : s.shape()) {
        g.writeNumber(d);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private CompletableFuture<HttpReply> infer(HttpCall call) throws IOException {
    BinaryInferRequest request = BinaryInferRequest.read(call);
    if (request.raw()) {
      return inferRaw(call, request);
    }
    JsonNode body = request.json();
    if (body == null || body.isMissingNode()) {
      throw HttpStatusException.badRequest("request body is empty; expected a JSON object");
    }
    if (!body.isObject()) {
      throw HttpStatusException.badRequest("request body must be a JSON object");
    }
    ModelRef ref = ref(call);
    String id = optionalText(body, "id");
    JsonNode inputsNode = body.get("inputs");
    if (inputsNode == null || !inputsNode.isArray() || inputsNode.isEmpty()) {
      throw HttpStatusException.badRequest(
          "field 'inputs' must be a non-empty array of {name, shape, datatype, data}");
    }
    JsonNode outputs = body.get("outputs");
    ShmRequest shm = new ShmRequest(sharedMemory);
    List<Tensor> inputs = new ArrayList<>();
    try {
      for (JsonNode in : inputsNode) {
        inputs.add(tensor(in, request, shm));
      }
      request.checkAllClaimed();
      bindOutputs(outputs, shm);
    } catch (IOException | RuntimeException e) {
      shm.close();
      throw e;
    }
    long deadline = deadline();
    JsonNode parameters = body.get("parameters");
    String key = routingKey(parameters);
    RequestContext ctx = new RequestContext(deadline, "http", id,
        key != null ? key : call.header(PredictApi.ROUTING_KEY_HEADER));
    // Output names are checked against the version that will answer, before it runs.
    CompletableFuture<Answer> result = service.infer(ref, model -> {
      selectOutputs(outputs, model.manifest().signature().outputs());
      return inputs;
    }, ctx);
    return answer(result, outputs, parameters, false, shm);
  }

  /** The extension's raw binary request: the body is the one input's data, outputs binary. */
  private CompletableFuture<HttpReply> inferRaw(HttpCall call, BinaryInferRequest request) {
    RequestContext ctx = new RequestContext(deadline(), "http", null,
        call.header(PredictApi.ROUTING_KEY_HEADER));
    CompletableFuture<Answer> result = service.infer(ref(call), model -> List.of(
        request.rawInput(model.manifest().signature().inputs(), model.label())), ctx);
    return answer(result, null, null, true, new ShmRequest(sharedMemory));
  }

  private long deadline() {
    long t = timeout.toNanos();
    return t == 0 ? Long.MAX_VALUE : ticker.nanoTime() + t;
  }

  private CompletableFuture<HttpReply> answer(CompletableFuture<Answer> result, JsonNode outputs,
      JsonNode parameters, boolean raw, ShmRequest shm) {
    CompletableFuture<HttpReply> reply = Endpoint.then(result, answer -> {
      ServedModel served = answer.model();
      Tensor[] out = answer.outputs();
      List<TensorSpec> outSpecs = served.manifest().signature().outputs();
      int[] selected = selectOutputs(outputs, outSpecs);
      shm.writeOutputs(selected, out, outSpecs);
      boolean[] binary =
          BinaryInferResponse.binaryOutputs(parameters, outputs, selected.length, raw);
      boolean[] inRegion = new boolean[selected.length];
      for (int k = 0; k < selected.length; k++) {
        int i = selected[k];
        inRegion[k] = shm.isBound(i < outSpecs.size() ? outSpecs.get(i).name() : out[i].name());
        binary[k] &= !inRegion[k]; // written to its shared-memory region instead
      }
      Tensor[] answered = new Tensor[selected.length];
      for (int k = 0; k < selected.length; k++) {
        answered[k] = out[selected[k]];
      }
      return BinaryInferResponse.reply(Json.write(g -> {
          g.writeStartObject();
          g.writeStringField("model_name", served.name());
          g.writeStringField("model_version", served.version());
          g.writeStringField("id", answer.requestId());
          g.writeArrayFieldStart("outputs");
          for (int k = 0; k < selected.length; k++) {
            int i = selected[k];
            Tensor o = out[i];
            g.writeStartObject();
            g.writeStringField("name", i < outSpecs.size() ? outSpecs.get(i).name() : o.name());
            g.writeStringField("datatype", o.dataType().wireName());
            g.writeArrayFieldStart("shape");
            for (long d : o.shape()) {
              g.writeNumber(d);
            }
            g.writeEndArray();
            if (binary[k]) {
              BinaryInferResponse.writeSize(g, o);
            } else if (!inRegion[k]) {
              g.writeFieldName("data");
              TensorJson.writeFlat(g, o);
            }
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        }), answered, binary);
    }, () -> result.cancel(false));
    reply.whenComplete((r, e) -> shm.close());
    return reply;
  }

  /** Binds the requested outputs that name a shared-memory region to it. */
  private static void bindOutputs(JsonNode outputs, ShmRequest shm) {
    if (outputs == null || !outputs.isArray()) {
      return;
    }
    for (JsonNode o : outputs) {
      String name = o.isObject() ? optionalText(o, "name") : null;
      ShmRef ref = name == null ? null
          : SharedMemoryRest.ref("output '" + name + "'", o.get("parameters"));
      if (ref != null) {
        shm.bindOutput(name, ref);
      }
    }
  }

  /** The OIP request parameter {@code routing_key}, or null. */
  private static String routingKey(JsonNode parameters) {
    if (parameters == null || parameters.isNull()) {
      return null;
    }
    if (!parameters.isObject()) {
      throw HttpStatusException.badRequest("field 'parameters' must be an object");
    }
    return optionalText(parameters, "routing_key");
  }

  private static Tensor tensor(JsonNode in, BinaryInferRequest request, ShmRequest shm)
      throws IOException {
    if (!in.isObject()) {
      throw HttpStatusException.badRequest("each entry of 'inputs' must be an object");
    }
    String name = optionalText(in, "name");
    if (name == null || name.isEmpty()) {
      throw HttpStatusException.badRequest("an input has no 'name'");
    }
    String where = "input '" + name + "': ";
    String datatype = optionalText(in, "datatype");
    if (datatype == null) {
      throw HttpStatusException.badRequest(where + "field 'datatype' is missing");
    }
    DataType type;
    try {
      type = DataType.parse(datatype);
    } catch (IllegalArgumentException e) {
      throw HttpStatusException.badRequest(where + e.getMessage());
    }
    JsonNode shapeNode = in.get("shape");
    if (shapeNode == null || !shapeNode.isArray()) {
      throw HttpStatusException.badRequest(where + "field 'shape' must be an array of integers");
    }
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
        throw HttpStatusException.badRequest(
            where + "'shape' must hold non-negative integers, got " + shapeNode);
      }
      shape[i] = d.longValue();
    }
    JsonNode data = in.get("data");
    ShmRef region = SharedMemoryRest.ref("input '" + name + "'", in.get("parameters"));
    if (region != null) {
      if (data != null || BinaryInferRequest.isBinary(in)) {
        throw HttpStatusException.badRequest(where + "has both "
            + (data != null ? "'data'" : "binary_data_size") + " and " + ShmRef.REGION
            + "; give one");
      }
      return shm.input(name, type, shape, region);
    }
    if (BinaryInferRequest.isBinary(in)) {
      return request.tensor(where, name, type, shape, in);
    }
    if (data == null || !data.isArray()) {
      throw HttpStatusException.badRequest(where + "field 'data' must be an array (flat or nested)");
    }
    return JsonTensors.fromFlat(name, type, shape, data);
  }

  private static int[] selectOutputs(JsonNode requested, List<TensorSpec> specs) {
    if (requested == null || requested.isNull() || requested.isEmpty()) {
      int[] all = new int[specs.size()];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      return all;
    }
    if (!requested.isArray()) {
      throw HttpStatusException.badRequest("field 'outputs' must be an array of {name}");
    }
    int[] idx = new int[requested.size()];
    for (int i = 0; i < idx.length; i++) {
      JsonNode entry = requested.get(i);
      String name = entry.isObject() ? optionalText(entry, "name") : null;
      if (name == null) {
        throw HttpStatusException.badRequest(
            "each entry of 'outputs' must be an object with a string 'name'");
      }
      int found = -1;
      for (int s = 0; s < specs.size(); s++) {
        if (specs.get(s).name().equals(name)) {
          found = s;
        }
      }
      if (found < 0) {
        throw HttpStatusException.badRequest("unknown output '" + name + "'; the model has "
            + String.join(", ", specs.stream().map(TensorSpec::name).toList()));
      }
      for (int k = 0; k < i; k++) {
        if (idx[k] == found) {
          throw HttpStatusException.badRequest("output '" + name + "' is requested twice in "
              + "'outputs'; name each output once");
        }
      }
      idx[i] = found;
    }
    return idx;
  }

  private static String optionalText(JsonNode obj, String field) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw HttpStatusException.badRequest("field '" + field + "' must be a string");
    }
    return n.asText();
  }
}
