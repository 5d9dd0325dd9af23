package io.mlserve.registry.grpc;

import io.grpc.stub.StreamObserver;
import io.mlserve.drift.FeatureProfile;
import io.mlserve.drift.ReferenceComputer;
import io.mlserve.drift.ReferenceJson;
import io.mlserve.drift.ReferenceProfile;
import io.mlserve.proto.admin.v1.FeatureStats;
import io.mlserve.proto.admin.v1.GetReferenceRequest;
import io.mlserve.proto.admin.v1.Reference;
import io.mlserve.proto.admin.v1.ReferencesGrpc;
import io.mlserve.proto.admin.v1.SetReferenceRequest;
import java.nio.charset.StandardCharsets;

/**
 * The {@code mlserve.admin.v1.References} service: thin over {@link ReferenceComputer}. Wrapped
 * with {@link AdminAuth} by {@link AdminServices}, so SetReference needs the admin token.
 * Thread-safe.
 */
final class ReferencesGrpcService extends ReferencesGrpc.ReferencesImplBase {
  private final ReferenceComputer references;

  ReferencesGrpcService(ReferenceComputer references) {
    this.references = references;
  }

  @Override
  public void setReference(SetReferenceRequest r, StreamObserver<Reference> out) {
    AdminErrors.unary(out, () -> reference(references.set(r.getModel(), r.getVersion(),
        r.getDataset(), r.getReplace())));
  }

  @Override
  public void getReference(GetReferenceRequest r, StreamObserver<Reference> out) {
    AdminErrors.unary(out, () -> reference(references.get(r.getModel(), r.getVersion())
        .orElseThrow(() -> ReferenceJson.missing(r.getModel(), r.getVersion()))));
  }

  /** The message form of a profile, its JSON included. */
  static Reference reference(ReferenceProfile p) {
    Reference.Builder b = Reference.newBuilder().setModel(p.model()).setVersion(p.version())
        .setSource(p.source()).setRows(p.rows()).setCreatedAtMs(p.createdMillis())
        .setProfileJson(new String(ReferenceJson.bytes(p), StandardCharsets.UTF_8));
    p.inputs().forEach(f -> b.addInputs(stats(f)));
    p.outputs().forEach(f -> b.addOutputs(stats(f)));
    return b.build();
  }

  private static FeatureStats stats(FeatureProfile f) {
    return FeatureStats.newBuilder().setName(f.name()).setCount(f.count())
        .setMissing(f.missing()).setMean(f.mean()).setStd(f.std()).setMin(f.min())
        .setMax(f.max()).setBins(f.fractions().length).build();
  }
}
