package io.mlserve.registry;

import io.mlserve.store.HistoryEntry;
import io.mlserve.store.Stage;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Reads "which versions held Production, in order" out of a model's history, as a stack: a
 * promotion to Production pushes, a rollback (a history line whose reason starts with
 * {@link #ROLLBACK_REASON}) pops. So repeated rollbacks walk further back instead of swapping
 * between the last two versions. Stateless.
 */
final class ProductionHistory {
  /** The reason prefix of the history line that moves a version into Production by rollback. */
  static final String ROLLBACK_REASON = "rollback from ";

  private ProductionHistory() {}

  /**
   * The version a rollback from {@code current} returns to: the entry below it on the stack,
   * skipping versions that {@code loadable} refuses (archived or removed) and {@code current}.
   */
  static Optional<String> rollbackTarget(List<HistoryEntry> history, String current,
      Predicate<String> loadable) {
    Deque<String> stack = new ArrayDeque<>();
    String production = Stage.PRODUCTION.displayName();
    for (HistoryEntry e : history) {
      if (!production.equals(e.toStage())) {
        continue;
      }
      if (e.reason() != null && e.reason().startsWith(ROLLBACK_REASON)) {
        stack.pollLast();
        if (!e.version().equals(stack.peekLast())) {
          stack.addLast(e.version());
        }
      } else {
        stack.addLast(e.version());
      }
    }
    // A writer that crashed after moving the pointer but before writing history.
    if (!current.equals(stack.peekLast())) {
      stack.addLast(current);
    }
    stack.pollLast();
    while (!stack.isEmpty()) {
      String v = stack.pollLast();
      if (!v.equals(current) && loadable.test(v)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }
}
