package io.mlserve.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A version's evaluations as a listing shows them: each without its sample points (a listing of
 * many stays small; one evaluation's own read has them), as
 * {@code {"evaluations": [<EvaluationJson>, ...]}}, pretty-printed. The REST listing and
 * {@code mlctl evaluations --output json} both print this, so they match. Stateless.
 */
public final class EvaluationListing {
  /** Evaluations a listing returns unless asked for another number. */
  public static final int DEFAULT_LIMIT = 20;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private EvaluationListing() {}

  /** {@code e} without its sample points. */
  public static Evaluation withoutSample(Evaluation e) {
    Evaluation bare = new Evaluation(e.id(), e.model(), e.version(), e.baselineVersion(),
        e.dataset(), e.startedAt(), e.finishedAt(), e.actor(), e.kind(), e.candidate(),
        e.baseline(), e.deltas(), List.of(), null);
    return e.verdict() == null ? bare : bare.withVerdict(e.verdict());
  }

  /** The listing of {@code evaluations} (in the order given), newline-terminated. */
  public static byte[] json(List<Evaluation> evaluations) {
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode a = root.putArray("evaluations");
    for (Evaluation e : evaluations) {
      a.add(EvaluationJson.toTree(withoutSample(e)));
    }
    try {
      return (MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n")
          .getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot encode the evaluations: "
          + ex.getOriginalMessage(), ex);
    }
  }
}
