package io.mlserve.registry.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.experiments.MetricPoint;
import io.mlserve.experiments.Run;
import io.mlserve.proto.admin.v1.MetricSeries;
import io.mlserve.proto.admin.v1.ModelSummary;
import io.mlserve.proto.admin.v1.ModelVersion;
import io.mlserve.proto.admin.v1.TrafficArm;
import io.mlserve.proto.admin.v1.TrafficResponse;
import io.mlserve.proto.admin.v1.TransitionResponse;
import io.mlserve.registry.InvalidRequestException;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.Transition;
import io.mlserve.store.Deployment;
import io.mlserve.store.Event;
import io.mlserve.store.HistoryEntry;
import io.mlserve.store.Manifest;
import io.mlserve.store.ManifestCodec;
import io.mlserve.store.ModelStore;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import io.mlserve.store.Stage;
import io.mlserve.store.TensorSpec;
import io.mlserve.store.TrafficSplit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conversions between registry types and admin protos: used by the admin gRPC service, and by
 * the REST admin routes, which answer with {@link AdminJsonFormat} of the same protos so that
 * both speak one JSON shape. Stateless.
 */
public final class AdminProtos {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AdminProtos() {}

  static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  static String orNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** A model's summary: its stage pointers and versions (oldest first). */
  public static ModelSummary summary(ModelStore store, String model) {
    List<String> versions = store.versions(model);
    return ModelSummary.newBuilder().setName(model)
        .setProductionVersion(store.stageVersion(model, Stage.PRODUCTION).orElse(""))
        .setStagingVersion(store.stageVersion(model, Stage.STAGING).orElse(""))
        .setLatestVersion(versions.isEmpty() ? "" : versions.get(versions.size() - 1))
        .setVersionCount(versions.size()).addAllVersions(versions).build();
  }

  /** Every version of {@code model} with its stage and manifest, oldest first. */
  public static List<ModelVersion> versions(ModelRegistry registry, String model) {
    ModelStore store = registry.store();
    return store.versions(model).stream().map(v -> version(store.manifest(model, v),
        registry.stageOf(model, v), null)).toList();
  }

  /** A version; {@code validation}: how it was checked, null except on registration. */
  public static ModelVersion version(Manifest m, Stage stage, String validation) {
    return ModelVersion.newBuilder()
        .setModel(m.name()).setVersion(m.version()).setStage(stage.displayName())
        .setFormat(m.format()).setSha256(orEmpty(m.sha256())).setRunId(orEmpty(m.runId()))
        .setCreatedAtMs(m.createdAt() == null ? 0 : m.createdAt().toEpochMilli())
        .setDescription(orEmpty(m.description()))
        .setManifestJson(ManifestCodec.toJson(m))
        .setValidation(orEmpty(validation))
        .build();
  }

  public static TransitionResponse transition(Transition t) {
    return TransitionResponse.newBuilder().setModel(t.model()).setVersion(t.version())
        .setFromStage(t.from().displayName()).setToStage(t.to().displayName())
        .setPreviousVersion(orEmpty(t.previousVersion())).build();
  }

  public static io.mlserve.proto.admin.v1.HistoryEntry history(HistoryEntry e) {
    return io.mlserve.proto.admin.v1.HistoryEntry.newBuilder()
        .setTimestampMs(e.timestamp()).setModel(e.model()).setVersion(e.version())
        .setFromStage(orEmpty(e.fromStage())).setToStage(e.toStage())
        .setActor(orEmpty(e.actor())).setReason(orEmpty(e.reason())).build();
  }

  /** A model's traffic record; {@code deploymentOrNull} null: it never had one. */
  public static TrafficResponse traffic(String model, Deployment deploymentOrNull) {
    TrafficResponse.Builder b = TrafficResponse.newBuilder().setModel(model);
    if (deploymentOrNull == null) {
      return b.build();
    }
    Deployment d = deploymentOrNull;
    TrafficSplit split = d.split();
    b.setHasSplit(split != null).setSeq(d.seq()).setActor(orEmpty(d.actor()))
        .setReason(orEmpty(d.reason())).setUpdatedAtMs(d.updatedAt());
    if (split != null) {
      split.weights().forEach((v, w) -> b.addArms(TrafficArm.newBuilder().setVersion(v)
          .setWeight(w).setBuckets(split.bucketCount(v))));
    }
    return b.build();
  }

  /**
   * The weights of a request's arms, in order.
   *
   * @throws InvalidRequestException for an arm without a version, or a version named twice
   */
  public static Map<String, Double> weights(List<TrafficArm> arms) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (TrafficArm a : arms) {
      if (a.getVersion().isEmpty()) {
        throw new InvalidRequestException("every arm of a split needs a version");
      }
      if (out.put(a.getVersion(), a.getWeight()) != null) {
        throw new InvalidRequestException("version " + a.getVersion()
            + " is named twice in the split");
      }
    }
    return out;
  }

  static io.mlserve.proto.admin.v1.Event event(Event e) {
    return io.mlserve.proto.admin.v1.Event.newBuilder()
        .setEventType(e.eventType()).setModelName(orEmpty(e.modelName()))
        .setVersion(orEmpty(e.version())).setStage(orEmpty(e.stage()))
        .setRunId(orEmpty(e.runId())).setTimestamp(e.timestamp()).setSeq(e.seq())
        .setPreviousVersion(orEmpty(e.previousVersion())).putAllAttributes(e.attributes())
        .setJson(e.toJson()).build();
  }

  public static io.mlserve.proto.admin.v1.Run run(Run r) {
    io.mlserve.proto.admin.v1.Run.Builder b = io.mlserve.proto.admin.v1.Run.newBuilder()
        .setModel(r.model()).setRunId(r.runId()).setName(orEmpty(r.name()))
        .setStatus(r.status()).setStartTimeMs(r.startTime()).setEndTimeMs(r.endTime())
        .setSource(orEmpty(r.source())).setParamsJson(json(r.params()))
        .putAllTags(r.tags()).addAllArtifacts(r.artifacts());
    r.metrics().forEach((k, series) -> {
      MetricSeries.Builder s = MetricSeries.newBuilder();
      for (MetricPoint p : series) {
        s.addPoints(io.mlserve.proto.admin.v1.MetricPoint.newBuilder().setStep(p.step())
            .setValue(p.value()).setTimestampMs(p.timestamp()));
      }
      b.putMetrics(k, s.build());
    });
    return b.build();
  }

  static Signature signature(io.mlserve.proto.admin.v1.Signature s) {
    return new Signature(tensors(s.getInputsList()), tensors(s.getOutputsList()));
  }

  static io.mlserve.proto.admin.v1.Signature signature(Signature s) {
    io.mlserve.proto.admin.v1.Signature.Builder b = io.mlserve.proto.admin.v1.Signature
        .newBuilder();
    s.inputs().forEach(t -> b.addInputs(tensor(t)));
    s.outputs().forEach(t -> b.addOutputs(tensor(t)));
    return b.build();
  }

  private static io.mlserve.proto.admin.v1.TensorSpec tensor(TensorSpec t) {
    return io.mlserve.proto.admin.v1.TensorSpec.newBuilder().setName(t.name())
        .setDatatype(t.datatype()).addAllShape(t.shape()).build();
  }

  private static List<TensorSpec> tensors(List<io.mlserve.proto.admin.v1.TensorSpec> specs) {
    return specs.stream().map(t -> new TensorSpec(t.getName(), t.getDatatype(),
        t.getShapeList())).toList();
  }

  static ServingConfig serving(String json) {
    if (json == null || json.isBlank()) {
      return null;
    }
    try {
      return JSON.readValue(json, ServingConfig.class);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException("invalid serving config: " + e.getOriginalMessage(), e);
    }
  }

  /** A param value: JSON if it parses, else the text as a string. */
  static Object paramValue(String text) {
    try {
      return JSON.readValue(text, Object.class);
    } catch (JsonProcessingException e) {
      return text;
    }
  }

  static String json(Map<String, Object> map) {
    try {
      return JSON.writeValueAsString(map);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
