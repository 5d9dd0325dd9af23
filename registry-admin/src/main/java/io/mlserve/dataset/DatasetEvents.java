package io.mlserve.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.mlserve.store.Event;
import java.util.LinkedHashMap;
import java.util.Map;

/** The event a dataset's addition appends. Stateless. */
public final class DatasetEvents {
  /**
   * A dataset was added to a model: {@code version} and {@code stage} null; fields
   * {@code dataset}, {@code format}, {@code sha256}, {@code bytes}, {@code rows},
   * {@code label_width}, {@code checked_against} (the version whose signature it was checked
   * against), {@code actor}. Documented in docs/events.md.
   */
  public static final String ADDED = "ml.model.dataset_added.v1";

  private DatasetEvents() {}

  static Event added(DatasetInfo d, long timestamp) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    Map<String, JsonNode> fields = new LinkedHashMap<>();
    fields.put("dataset", f.textNode(d.name()));
    fields.put("format", f.textNode(d.format()));
    fields.put("sha256", f.textNode(d.sha256()));
    fields.put("bytes", f.numberNode(d.bytes()));
    fields.put("rows", f.numberNode(d.rows()));
    fields.put("label_width", f.numberNode(d.labelWidth()));
    fields.put("checked_against", f.textNode(d.checkedAgainst()));
    fields.put("actor", f.textNode(d.actor()));
    return new Event(ADDED, d.model(), null, null, null, timestamp, 0, null, Map.of(), fields);
  }
}
