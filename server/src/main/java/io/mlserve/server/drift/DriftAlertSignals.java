package io.mlserve.server.drift;

import io.mlserve.server.alerts.DriftSignals;
import io.mlserve.server.alerts.SignalNames;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The alert rules' drift signals read from a {@link DriftView}'s latest {@link DriftSnapshot}:
 * {@code drift_share}, {@code feature_psi_max}, {@code feature_ks_max},
 * {@code prediction_psi_max}, {@code performance_drift}; a figure that is NaN (no output
 * reference, no feedback) has no value. Thread-safe as the view is.
 */
public final class DriftAlertSignals implements DriftSignals {
  private final DriftView view;

  public DriftAlertSignals(DriftView view) {
    this.view = Objects.requireNonNull(view, "view");
  }

  @Override
  public OptionalDouble value(String signal, String model, String version) {
    Optional<DriftSnapshot> s = view.latest(model, version);
    if (s.isEmpty()) {
      return OptionalDouble.empty();
    }
    double v = switch (signal) {
      case SignalNames.DRIFT_SHARE -> s.get().driftedShare();
      case SignalNames.FEATURE_PSI_MAX -> s.get().maxFeaturePsi();
      case SignalNames.FEATURE_KS_MAX -> s.get().maxFeatureKs();
      case SignalNames.PREDICTION_PSI_MAX -> s.get().maxPredictionPsi();
      case SignalNames.PERFORMANCE_DRIFT -> s.get().performanceDrift();
      default -> Double.NaN;
    };
    return Double.isFinite(v) ? OptionalDouble.of(v) : OptionalDouble.empty();
  }
}
