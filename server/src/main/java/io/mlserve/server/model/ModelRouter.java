package io.mlserve.server.model;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.metrics.MetricsRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps a model name, and optionally a version, to the {@link ServedModel} that answers it. The
 * default version of a model (the one an unversioned request gets: Production) is swapped with
 * one volatile write, so a request sees either the old or the new version, never neither.
 *
 * <p>This class is thread-safe. Reads take no lock.
 */
public final class ModelRouter {
  /** One model's loaded versions. */
  private static final class Entry {
    volatile ServedModel defaultVersion;
    volatile ServedModel staging;
    volatile ArmTable arms;
    volatile ServedModel shadow;
    final Map<String, ServedModel> versions = new ConcurrentHashMap<>();
  }

  private final Map<String, Entry> models = new ConcurrentHashMap<>();
  private final MetricsRegistry metrics;
  private volatile java.util.function.BiFunction<String, String, CompletableFuture<ServedModel>>
      onDemand;

  /** A router that counts requests for unknown models in {@code metrics}. */
  public ModelRouter(MetricsRegistry metrics) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  /** A router whose unrouted requests are counted nowhere (tests). */
  public ModelRouter() {
    this(new MetricsRegistry());
  }

  /** Whether any version of the model was ever added (it may have none loaded now). */
  public boolean serves(String name) {
    return name != null && models.containsKey(name);
  }

  /** Counts a request that named something not served (the serving entry point calls it). */
  public void recordUnrouted() {
    metrics.recordUnrouted();
  }

  /** Counts a request a version answered, by the transport it came over. */
  public void recordTransport(String transport) {
    metrics.recordTransport(transport);
  }

  /** The model's traffic split over loaded versions, or null when it has none. */
  public ArmTable arms(String name) {
    Entry e = models.get(name);
    return e == null ? null : e.arms;
  }

  /**
   * Installs (or with null, removes) a model's traffic split; every version in it must have
   * been {@linkplain #put added}. Unversioned requests follow it from the next request on.
   */
  public void setArms(String name, ArmTable arms) {
    Entry e = models.computeIfAbsent(name, n -> new Entry());
    e.arms = arms;
  }

  /**
   * Installs what loads a version that is not loaded when a request names it explicitly (the
   * reload coordinator loads Deprecated versions).
   */
  public void setOnDemandLoader(
      java.util.function.BiFunction<String, String, CompletableFuture<ServedModel>> loader) {
    this.onDemand = loader;
  }

  /**
   * After {@link #resolve} failed with {@code notFound}: when the request named an explicit
   * version of a served model and an on-demand loader is installed, loads it; otherwise rethrows.
   */
  public CompletableFuture<ServedModel> loadOnDemand(
      String name, String version, InferenceException notFound) {
    var loader = onDemand;
    boolean explicit = version != null && !version.isEmpty()
        && !version.equalsIgnoreCase("production") && !version.equalsIgnoreCase("staging");
    if (loader == null || !explicit || notFound.kind() != InferenceException.Kind.NOT_FOUND
        || !models.containsKey(name)) {
      throw notFound;
    }
    return loader.apply(name, version);
  }

  /** The default version of a model, or null. */
  public ServedModel defaultVersion(String name) {
    Entry e = models.get(name);
    return e == null ? null : e.defaultVersion;
  }

  /**
   * Adds a loaded version; when {@code makeDefault}, unversioned requests go to it from now on.
   *
   * @return the previous default version, or null
   */
  public ServedModel put(ServedModel model, boolean makeDefault) {
    Objects.requireNonNull(model, "model");
    Entry e = models.computeIfAbsent(model.name(), n -> new Entry());
    e.versions.put(model.version(), model);
    if (makeDefault) {
      ServedModel previous = e.defaultVersion;
      e.defaultVersion = model;
      return previous;
    }
    return null;
  }

  /** The version that shadows the model (receives copies of its answered requests), or null. */
  public ServedModel shadow(String name) {
    Entry e = models.get(name);
    return e == null ? null : e.shadow;
  }

  /**
   * Records the model's shadow (null: none): a dedicated instance, not one of the versions
   * {@linkplain #put added} for serving. Its loaded state and idle unloads show in
   * {@code /metrics} as the model's shadow instance while it is recorded here.
   */
  public void setShadow(String name, ServedModel shadow) {
    Entry e = models.computeIfAbsent(name, n -> new Entry());
    e.shadow = shadow;
    metrics.shadowInstance(name, shadow == null ? null : shadow.metrics());
  }

  /** Unversioned requests of the model have no Production version from now on. */
  public void clearDefault(String name) {
    Entry e = models.get(name);
    if (e != null) {
      e.defaultVersion = null;
    }
  }

  /** Routes stage "Staging" of a model to {@code model} (null: none). */
  public void setStaging(String name, ServedModel model) {
    Entry e = models.computeIfAbsent(name, n -> new Entry());
    if (model != null) {
      e.versions.put(model.version(), model);
    }
    e.staging = model;
  }

  /** The Staging version of a model, or null. */
  public ServedModel staging(String name) {
    Entry e = models.get(name);
    return e == null ? null : e.staging;
  }

  /** A loaded version, or null. */
  public ServedModel loaded(String name, String version) {
    Entry e = models.get(name);
    return e == null ? null : e.versions.get(version);
  }

  /** Removes a version (it keeps running for whoever resolved it already). */
  public void remove(ServedModel model) {
    Entry e = models.get(model.name());
    if (e != null) {
      e.versions.remove(model.version(), model);
      if (e.defaultVersion == model) {
        e.defaultVersion = null;
      }
      if (e.staging == model) {
        e.staging = null;
      }
    }
  }

  /** Sorted names of served models. */
  public List<String> modelNames() {
    List<String> names = new ArrayList<>(models.keySet());
    Collections.sort(names);
    return names;
  }

  /** Loaded versions of a model, sorted; empty when unknown. */
  public List<String> versions(String name) {
    Entry e = models.get(name);
    return e == null ? List.of() : new ArrayList<>(new TreeMap<>(e.versions).keySet());
  }

  /** Every loaded version of every model. */
  public List<ServedModel> all() {
    List<ServedModel> all = new ArrayList<>();
    for (Entry e : models.values()) {
      all.addAll(e.versions.values());
    }
    return all;
  }

  /** Whether every known model has a version that unversioned or staged requests reach. */
  public boolean allDefaultsLoaded() {
    for (Entry e : models.values()) {
      if (e.defaultVersion == null && e.staging == null && e.arms == null) {
        return false;
      }
    }
    return true;
  }
}
