package io.mlserve.registry.grpc;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mlserve.proto.admin.v1.ShadowResponse;
import io.mlserve.proto.admin.v1.StartShadowRequest;
import io.mlserve.registry.InvalidRequestException;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.store.Deployment;
import io.mlserve.store.HistoryEntry;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Shadow;
import java.io.IOException;
import java.util.List;

/**
 * The shadow calls of the admin API: a start request into the registry's call, a deployment
 * record to a {@code ShadowResponse}, and that response as the JSON that
 * {@code mlctl shadow start|stop|status --output json} prints and the REST routes
 * {@code PUT|DELETE /api/v1/models/{m}/shadow} answer. Stateless and thread-safe.
 */
public final class ShadowProtos {
  private ShadowProtos() {}

  /**
   * Starts the shadow a request asks for; unset sample and tolerances take the defaults
   * ({@link Shadow#DEFAULT_SAMPLE}, {@link Shadow#DEFAULT_ATOL}, {@link Shadow#DEFAULT_RTOL}).
   *
   * @return the record as written
   * @throws InvalidRequestException without a version, or for a sample or tolerance out of range
   */
  public static Deployment start(ModelRegistry registry, StartShadowRequest req, String actor) {
    if (req.getVersion().isBlank()) {
      throw new InvalidRequestException("a shadow needs a version: the version whose answers"
          + " are compared with the primary's");
    }
    return registry.startShadow(req.getModel(), req.getVersion(),
        req.hasSample() ? req.getSample() : Shadow.DEFAULT_SAMPLE,
        req.hasAtol() ? req.getAtol() : Shadow.DEFAULT_ATOL,
        req.hasRtol() ? req.getRtol() : Shadow.DEFAULT_RTOL, actor,
        AdminProtos.orNull(req.getReason()));
  }

  /**
   * The model's record as the registry holds it now.
   *
   * @throws NotFoundException when the model does not exist
   */
  public static ShadowResponse current(ModelRegistry registry, String model) {
    if (!registry.store().hasModel(model)) {
      throw NotFoundException.model(model);
    }
    return response(registry, model, registry.deployment(model).orElse(null));
  }

  /**
   * A model's shadow and the change that last set its record; {@code deploymentOrNull} null:
   * it never had a record. Who started the shadow and why come from the model's history (the
   * record keeps only the last change, which may be a later split or rollout change).
   */
  public static ShadowResponse response(ModelRegistry registry, String model,
      Deployment deploymentOrNull) {
    ShadowResponse.Builder b = ShadowResponse.newBuilder().setModel(model);
    if (deploymentOrNull == null) {
      return b.build();
    }
    Deployment d = deploymentOrNull;
    b.setSeq(d.seq()).setActor(AdminProtos.orEmpty(d.actor()))
        .setReason(AdminProtos.orEmpty(d.reason()));
    Shadow s = d.shadow();
    if (s == null) {
      return b.build();
    }
    io.mlserve.proto.admin.v1.Shadow.Builder p = io.mlserve.proto.admin.v1.Shadow.newBuilder()
        .setVersion(s.version()).setSample(s.sample()).setAtol(s.atol()).setRtol(s.rtol())
        .setStartedAtMs(s.startedAt());
    HistoryEntry start = startOf(registry.history(model), s);
    if (start != null) {
      p.setActor(AdminProtos.orEmpty(start.actor())).setReason(AdminProtos.orEmpty(start.reason()));
    }
    return b.setHasShadow(true).setShadow(p).build();
  }

  /** The history line of the change that started {@code s}, or null (the latest that matches). */
  private static HistoryEntry startOf(List<HistoryEntry> history, Shadow s) {
    String described = s.describe();
    for (int i = history.size() - 1; i >= 0; i--) {
      HistoryEntry e = history.get(i);
      if (HistoryEntry.SHADOW.equals(e.version()) && e.timestamp() == s.startedAt()
          && described.equals(e.toStage())) {
        return e;
      }
    }
    return null;
  }

  /**
   * {@code {model, shadow: {version, sample, atol, rtol, started_at_ms, actor, reason} | null,
   * seq, actor, reason}}: the shadow with who started it and why, then the change that last set
   * the record; null for an absent value.
   */
  public static void json(JsonGenerator g, ShadowResponse r) throws IOException {
    g.writeStartObject();
    g.writeStringField("model", r.getModel());
    if (!r.getHasShadow()) {
      g.writeNullField("shadow");
    } else {
      io.mlserve.proto.admin.v1.Shadow s = r.getShadow();
      g.writeObjectFieldStart("shadow");
      g.writeStringField("version", s.getVersion());
      g.writeNumberField("sample", s.getSample());
      g.writeNumberField("atol", s.getAtol());
      g.writeNumberField("rtol", s.getRtol());
      g.writeNumberField("started_at_ms", s.getStartedAtMs());
      g.writeStringField("actor", AdminProtos.orNull(s.getActor()));
      g.writeStringField("reason", AdminProtos.orNull(s.getReason()));
      g.writeEndObject();
    }
    g.writeNumberField("seq", r.getSeq());
    g.writeStringField("actor", AdminProtos.orNull(r.getActor()));
    g.writeStringField("reason", AdminProtos.orNull(r.getReason()));
    g.writeEndObject();
  }
}
