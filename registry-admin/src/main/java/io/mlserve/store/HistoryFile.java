package io.mlserve.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file operations on one model's {@code history.jsonl} for {@link ModelStore}: read the
 * entries, append one stamped with the seq of its change's event, cut lines of changes whose
 * event never made it. Stateless; writers hold the store lock.
 */
final class HistoryFile {
  private static final Logger log = LoggerFactory.getLogger(HistoryFile.class);
  private static final String SEQ = "seq";
  private static final ObjectReader READER = StoreJson.MAPPER.readerFor(HistoryEntry.class);

  private HistoryFile() {}

  /** The entries of {@code file}, oldest first; unreadable lines are logged and skipped. */
  static List<HistoryEntry> read(Path file, String model) {
    try {
      List<HistoryEntry> out = new ArrayList<>();
      for (String line : JsonLines.readCompleteLines(file)) {
        try {
          out.add(READER.readValue(line));
        } catch (JsonProcessingException e) {
          log.warn("{}: skipping unreadable line: {}", file, e.getOriginalMessage());
        }
      }
      return out;
    } catch (IOException e) {
      throw new StoreException("cannot read the history of " + model + ": "
          + IoErrors.reason(e), e);
    }
  }

  /** Appends {@code entry} stamped with {@code seq}, durably; undone if the section fails. */
  static void append(AtomicFiles files, StoreLock lock, Path file, HistoryEntry entry,
      long seq) {
    lock.call(() -> {
      ObjectNode line = StoreJson.MAPPER.valueToTree(entry);
      line.put(SEQ, seq);
      JsonLines.append(files, lock, file, StoreJson.MAPPER.writeValueAsString(line));
      return null;
    });
  }

  /** Cuts trailing lines stamped with a seq above {@code lastSeq}. Needs no free space. */
  static void dropAfter(StoreLock lock, Path file, String model, long lastSeq) {
    lock.call(() -> {
      List<String> lines = JsonLines.readCompleteLines(file);
      long keep = Files.exists(file) ? Files.size(file) : 0;
      int dropped = 0;
      for (int i = lines.size() - 1; i >= 0; i--) {
        JsonNode n;
        try {
          n = StoreJson.MAPPER.readTree(lines.get(i));
        } catch (JsonProcessingException e) {
          break;
        }
        if (n == null || !n.path(SEQ).canConvertToLong() || n.path(SEQ).asLong() <= lastSeq) {
          break;
        }
        keep -= lines.get(i).getBytes(StandardCharsets.UTF_8).length + 1;
        dropped++;
      }
      if (dropped > 0) {
        log.warn("{}: dropping {} history line(s) of a change whose event was never written"
            + " (interrupted writer)", model, dropped);
        JsonLines.truncate(file, keep);
      }
      return null;
    });
  }
}
