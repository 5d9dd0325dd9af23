package io.mlserve.registry.grpc;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mlserve.dataset.DatasetInfo;
import io.mlserve.dataset.DatasetInput;
import io.mlserve.proto.admin.v1.Dataset;
import io.mlserve.proto.admin.v1.ListDatasetsResponse;
import java.io.IOException;

/**
 * Datasets between their store record, the admin protos and their one JSON shape (written by
 * {@code mlctl dataset ... --output json} and the REST dataset routes): the record's
 * snake_case names as dataset.json holds them, {@code null} for an absent description.
 * Stateless; thread-safe.
 */
public final class DatasetProtos {
  private DatasetProtos() {}

  /** The record as a proto. */
  public static Dataset dataset(DatasetInfo d) {
    Dataset.Builder b = Dataset.newBuilder().setModel(d.model()).setName(d.name())
        .setFormat(d.format()).setSha256(d.sha256()).setBytes(d.bytes()).setRows(d.rows())
        .setLabelWidth(d.labelWidth()).setLabelKind(d.labelKind())
        .setCheckedAgainst(orEmpty(d.checkedAgainst())).setCreatedAt(orEmpty(d.createdAt()))
        .setActor(orEmpty(d.actor())).setDescription(orEmpty(d.description()));
    for (DatasetInput in : d.inputs()) {
      b.addInputsBuilder().setName(in.name()).setDatatype(in.datatype())
          .addAllShape(in.shape());
    }
    return b.build();
  }

  /** {@code {"datasets": [dataset...]}}. */
  public static void datasets(JsonGenerator g, ListDatasetsResponse r) throws IOException {
    g.writeStartObject();
    g.writeArrayFieldStart("datasets");
    for (Dataset d : r.getDatasetsList()) {
      dataset(g, d);
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /**
   * {@code {name, model, format, sha256, bytes, rows, inputs: [{name, datatype, shape}],
   * label_width, label_kind, checked_against, created_at, actor, description}}.
   */
  public static void dataset(JsonGenerator g, Dataset d) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", d.getName());
    g.writeStringField("model", d.getModel());
    g.writeStringField("format", d.getFormat());
    g.writeStringField("sha256", d.getSha256());
    g.writeNumberField("bytes", d.getBytes());
    g.writeNumberField("rows", d.getRows());
    g.writeArrayFieldStart("inputs");
    for (var in : d.getInputsList()) {
      g.writeStartObject();
      g.writeStringField("name", in.getName());
      g.writeStringField("datatype", in.getDatatype());
      g.writeArrayFieldStart("shape");
      for (long s : in.getShapeList()) {
        g.writeNumber(s);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeNumberField("label_width", d.getLabelWidth());
    g.writeStringField("label_kind", d.getLabelKind());
    g.writeStringField("checked_against", orNull(d.getCheckedAgainst()));
    g.writeStringField("created_at", orNull(d.getCreatedAt()));
    g.writeStringField("actor", orNull(d.getActor()));
    g.writeStringField("description", orNull(d.getDescription()));
    g.writeEndObject();
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static String orNull(String s) {
    return s.isEmpty() ? null : s;
  }
}
