package io.mlserve.server.deploy;

import io.mlserve.server.alerts.SignalNames;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * The metric names a scrape of {@code /metrics} exports, as PromQL sees them: every family a
 * {@code # TYPE} line declares (with {@code _bucket}, {@code _sum} and {@code _count} for a
 * histogram, {@code _sum} and {@code _count} for a summary) and every sample's name. A family
 * declared with no sample yet (a shadow's counters before any shadow starts) counts: the server
 * exports it. Plus, with {@link #withConditional}, the names in {@link SignalNames}'
 * {@code METRIC_*} constants, which appear only once computed (drift) or where measured (GPU).
 *
 * <p>Immutable; thread-safe.
 */
public final class ExportedMetricNames {
  private final Set<String> names;

  private ExportedMetricNames(Set<String> names) {
    this.names = Set.copyOf(names);
  }

  /** The names {@code exposition} (Prometheus text format 0.0.4) exports. */
  public static ExportedMetricNames fromExposition(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        String family = parts[2];
        names.add(family);
        String type = parts.length > 3 ? parts[3] : "";
        if (type.equals("histogram")) {
          names.add(family + "_bucket");
        }
        if (type.equals("histogram") || type.equals("summary")) {
          names.add(family + "_sum");
          names.add(family + "_count");
        }
      } else if (!line.isBlank() && !line.startsWith("#")) {
        int end = 0;
        while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
          end++;
        }
        names.add(line.substring(0, end));
      }
    }
    return new ExportedMetricNames(names);
  }

  /** These names and the conditionally exported {@code SignalNames.METRIC_*}. */
  public ExportedMetricNames withConditional() {
    Set<String> all = new TreeSet<>(names);
    all.addAll(conditional());
    return new ExportedMetricNames(all);
  }

  /** The values of {@link SignalNames}' {@code public static final String METRIC_*} fields. */
  public static Set<String> conditional() {
    Set<String> out = new TreeSet<>();
    for (Field f : SignalNames.class.getFields()) {
      if (f.getName().startsWith("METRIC_") && Modifier.isStatic(f.getModifiers())
          && f.getType() == String.class) {
        try {
          out.add((String) f.get(null));
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    return out;
  }

  /** Those of {@code used} that are not exported, sorted. */
  public Set<String> missing(Collection<String> used) {
    Set<String> out = new TreeSet<>(used);
    out.removeAll(names);
    return out;
  }

  /** Every name, sorted. */
  public Set<String> names() {
    return new TreeSet<>(names);
  }
}
