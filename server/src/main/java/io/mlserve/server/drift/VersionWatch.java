package io.mlserve.server.drift;

import io.mlserve.drift.FeatureProfile;
import io.mlserve.drift.ProfileBuilder;
import io.mlserve.drift.ReferenceProfile;
import io.mlserve.server.drift.DriftReport.FeatureDrift;
import io.mlserve.server.drift.DriftReport.Performance;
import io.mlserve.server.drift.DriftReport.VersionDrift;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The drift state of one served version: its sampler, its reference (the stored profile, read
 * once and again when replaced; else, and for outputs a stored profile lacks, a profile of the
 * first live rows), its outcome feedback, and the latest comparison. {@link #compute} runs on the monitor's one
 * thread; {@link #latest} and the sampler are read and written from any thread.
 */
final class VersionWatch {
  private static final long SEED = 0x5EED_D81F7L;

  final String model;
  final String version;
  final DriftSampler sampler; // null when the signature cannot be profiled
  private final String unprofilable;
  private volatile LiveOutcomes outcomes;
  private volatile VersionDrift latest;
  private volatile DriftSnapshot snapshot;
  // Monitor thread only:
  private boolean referenceRead;
  private long referenceStamp;
  private ReferenceProfile stored;
  private String referenceProblem;
  private ReferenceProfile live;

  VersionWatch(String model, String version, DriftSampler sampler, String unprofilable) {
    this.model = model;
    this.version = version;
    this.sampler = sampler;
    this.unprofilable = unprofilable;
  }

  VersionDrift latest() {
    return latest;
  }

  Optional<DriftSnapshot> snapshot() {
    return Optional.ofNullable(snapshot);
  }

  /** The version's outcome rings, created on its first feedback. */
  LiveOutcomes outcomes(int capacity) {
    LiveOutcomes o = outcomes;
    if (o == null) {
      synchronized (this) {
        o = outcomes;
        if (o == null) {
          o = new LiveOutcomes(capacity);
          outcomes = o;
        }
      }
    }
    return o;
  }

  /** The report before any pass ran. */
  VersionDrift current(DriftConfig config) {
    VersionDrift d = latest;
    return d != null ? d : result(config, 0, 0, List.of(), List.of(), null,
        unprofilable != null ? "not monitored: " + unprofilable
            : "not compared yet: windows are compared every " + every(config));
  }

  private static String every(DriftConfig config) {
    long ms = config.interval().toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  /** Compares the window with the reference and publishes the result. */
  void compute(long now, DriftConfig config, DriftMonitor.References references,
      DriftMonitor.Evaluations evaluations) {
    VersionDrift d = sampler == null ? current(config) : compare(now, config, references,
        evaluations);
    latest = d;
    if (d.compared()) {
      snapshot = d.snapshot(model);
    }
  }

  private VersionDrift compare(long now, DriftConfig config, DriftMonitor.References references,
      DriftMonitor.Evaluations evaluations) {
    RowLayout layout = sampler.layout();
    readStored(references, layout);
    boolean needLive = stored == null
        || (stored.outputs().isEmpty() && layout.outputWidth() > 0);
    if (needLive && live == null) {
      float[] first = sampler.capturedRows();
      if (first != null) {
        live = profile(first, layout, now);
        sampler.releaseCapture();
      }
    }
    List<FeatureProfile> inRef = stored != null ? stored.inputs()
        : live != null ? live.inputs() : null;
    Performance perf = performance(config, evaluations);
    if (inRef == null) {
      return result(config, 0, 0, List.of(), List.of(), perf, prefix()
          + "collecting the live reference: " + sampler.capturedCount() + " of "
          + sampler.captureRows() + " rows (the version has no stored reference.json)");
    }
    float[] rows = new float[sampler.capacity() * layout.width()];
    int n = sampler.read(rows);
    if (n < config.minRows()) {
      return result(config, n, 0, List.of(), List.of(), perf, prefix() + "the window has "
          + n + " row" + (n == 1 ? "" : "s") + "; at least " + config.minRows()
          + " are needed to compare");
    }
    List<FeatureProfile> outRef = stored != null && !stored.outputs().isEmpty()
        ? stored.outputs() : live != null ? live.outputs() : List.of();
    double[] column = new double[n];
    List<String> unknown = new ArrayList<>();
    List<FeatureDrift> features = compareAll(inRef, layout.inputFeatures(), 0, rows, n,
        layout.width(), column, config, unknown);
    List<FeatureDrift> outputs = compareAll(outRef, layout.outputFeatures(),
        layout.inputWidth(), rows, n, layout.width(), column, config, unknown);
    String status = prefix() + "compared " + n + " live rows with " + features.size()
        + " input and " + outputs.size() + " output features"
        + (unknown.isEmpty() ? "" : "; reference features not in the signature: "
            + String.join(", ", unknown.subList(0, Math.min(5, unknown.size())))
            + (unknown.size() > 5 ? ", .." : ""))
        + (outputs.isEmpty() ? "; the outputs have no reference yet"
            + (layout.note() != null ? " (" + layout.note() + ")" : "") : "");
    return result(config, n, now, features, outputs, perf, status);
  }

  private String prefix() {
    return referenceProblem == null ? "" : referenceProblem + "; ";
  }

  /** Reads the stored reference on the first pass, and again when it was added or replaced. */
  private void readStored(DriftMonitor.References references, RowLayout layout) {
    long stamp = references.stamp(model, version);
    if (referenceRead && stamp == referenceStamp) {
      return;
    }
    referenceRead = true;
    referenceStamp = stamp;
    referenceProblem = null;
    stored = null;
    try {
      stored = references.load(model, version).orElse(null);
    } catch (RuntimeException e) {
      referenceProblem = "the stored reference is not used (" + e.getMessage()
          + "); the first live rows are";
    }
    if (stored != null && (!stored.outputs().isEmpty() || layout.outputWidth() == 0)) {
      sampler.releaseCapture(); // no live rows needed
    }
  }

  private ReferenceProfile profile(float[] first, RowLayout layout, long now) {
    int width = layout.width();
    int rows = first.length / width;
    ProfileBuilder b = new ProfileBuilder(layout.inputFeatures(), layout.outputFeatures(),
        ProfileBuilder.DEFAULT_BINS, Math.max(101, rows), SEED);
    for (int r = 0; r < rows; r++) {
      b.addRow(first, r * width, layout.outputWidth() == 0 ? null : first,
          r * width + layout.inputWidth());
    }
    return b.build(model, version, ReferenceProfile.LIVE, now);
  }

  private static List<FeatureDrift> compareAll(List<FeatureProfile> refs, List<String> names,
      int offset, float[] rows, int n, int width, double[] column, DriftConfig config,
      List<String> unknown) {
    List<FeatureDrift> out = new ArrayList<>(refs.size());
    for (FeatureProfile f : refs) {
      int idx = names.indexOf(f.name());
      if (idx < 0) {
        unknown.add(f.name());
        continue;
      }
      int m = 0;
      double sum = 0;
      for (int r = 0; r < n; r++) {
        float v = rows[r * width + offset + idx];
        if (Float.isFinite(v)) {
          column[m++] = v;
          sum += v;
        }
      }
      if (m == 0 || f.quantiles().length == 0) {
        continue;
      }
      double psi = DriftMath.psi(f.edges(), f.fractions(), column, m);
      Arrays.sort(column, 0, m);
      double ks = DriftMath.ks(f.quantiles(), column, m);
      out.add(new FeatureDrift(f.name(), psi, ks, psi > config.psiThreshold(), m, n - m,
          sum / m, f.mean()));
    }
    return out;
  }

  private Performance performance(DriftConfig config, DriftMonitor.Evaluations evaluations) {
    LiveOutcomes o = outcomes;
    if (o == null) {
      return null;
    }
    for (int i = 0; i < LiveOutcomes.METRICS.length; i++) {
      long count = o.count(i);
      if (count < config.minOutcomes()) {
        continue;
      }
      String metric = LiveOutcomes.METRICS[i].wireName();
      double liveError = o.error(i);
      Optional<DriftMonitor.Evaluated> ev;
      try {
        ev = evaluations.latest(model, version);
      } catch (RuntimeException e) {
        ev = Optional.empty();
      }
      Double value = ev.map(e -> e.metrics().get(metric)).orElse(null);
      if (value == null || !Double.isFinite(value)) {
        return new Performance(metric, liveValue(metric, liveError), count, Double.NaN,
            ev.map(DriftMonitor.Evaluated::id).orElse(null), Double.NaN);
      }
      double evaluatedError = metric.equals("accuracy") ? 1 - value : value;
      double drift = evaluatedError > 0 ? liveError / evaluatedError - 1 : Double.NaN;
      return new Performance(metric, liveValue(metric, liveError), count, value,
          ev.get().id(), drift);
    }
    return null;
  }

  private static double liveValue(String metric, double error) {
    return metric.equals("accuracy") ? 1 - error : error;
  }

  /**
   * The published result.
   *
   * @param comparedAt when the window was compared now, or 0 when it was not (the previous
   *     comparison's time stays)
   */
  private VersionDrift result(DriftConfig config, int windowRows, long comparedAt,
      List<FeatureDrift> features, List<FeatureDrift> outputs, Performance perf,
      String status) {
    ReferenceProfile in = stored != null ? stored : live;
    boolean outputsLive = (stored == null || stored.outputs().isEmpty()) && live != null
        && !live.outputs().isEmpty();
    int drifted = 0;
    double maxPsi = Double.NaN;
    double maxKs = Double.NaN;
    for (FeatureDrift f : features) {
      drifted += f.drifted() ? 1 : 0;
      maxPsi = Double.isNaN(maxPsi) ? f.psi() : Math.max(maxPsi, f.psi());
      maxKs = Double.isNaN(maxKs) ? f.ks() : Math.max(maxKs, f.ks());
    }
    double maxPred = Double.NaN;
    for (FeatureDrift f : outputs) {
      maxPred = Double.isNaN(maxPred) ? f.psi() : Math.max(maxPred, f.psi());
    }
    VersionDrift previous = latest;
    return new VersionDrift(version, in == null ? null : in.source() + (outputsLive
        && stored != null ? " (outputs: live)" : ""), in == null ? 0 : in.rows(),
        stored == null && live != null, outputsLive, windowRows,
        sampler == null ? 0 : sampler.capacity(), sampler == null ? 0 : sampler.sampledRows(),
        comparedAt > 0 ? comparedAt : previous == null ? 0 : previous.computedAtMillis(),
        comparedAt > 0,
        features.isEmpty() ? Double.NaN : (double) drifted / features.size(), maxPsi, maxKs,
        maxPred, config.psiThreshold(), features, outputs, perf, status);
  }
}
