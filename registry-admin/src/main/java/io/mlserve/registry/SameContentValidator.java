package io.mlserve.registry;

import io.mlserve.store.Manifest;
import io.mlserve.store.ManifestCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Validates each distinct version content once: a version whose content equals one that
 * {@code delegate} already passed is accepted without running it again. The content is every
 * file of the version directory but the manifest (the artifact, examples.json, ...), each by
 * its relative path and SHA-256, plus the manifest itself without its identity (name, version,
 * creation time): what an engine's load, warm-up and golden check read. So every version
 * registered through this validator had its exact bytes checked by {@code delegate}, under
 * another name at most. Failures are not remembered (the next registration runs the delegate).
 *
 * <p>For a set-up that registers the same network several times (the demo's store); it keeps at
 * most {@code capacity} contents, and validates further contents every time. Thread-safe.
 */
public final class SameContentValidator implements ArtifactValidator {
  private static final String MANIFEST = VersionAssembler.MANIFEST;

  private final ArtifactValidator delegate;
  private final int capacity;
  private final Set<String> passed = ConcurrentHashMap.newKeySet();

  /**
   * @param delegate the validator each distinct content passes once
   * @param capacity how many passed contents are remembered (at least 1)
   */
  public SameContentValidator(ArtifactValidator delegate, int capacity) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
  }

  @Override
  public String description() {
    return delegate.description();
  }

  @Override
  public void validate(Path versionDir, Manifest manifest) throws Exception {
    String key = contentKey(versionDir, manifest);
    if (passed.contains(key)) {
      return;
    }
    delegate.validate(versionDir, manifest);
    if (passed.size() < capacity) {
      passed.add(key);
    }
  }

  /**
   * The SHA-256 of the version's content: the manifest without name, version and creation time,
   * then each other file's relative path and SHA-256, in path order.
   */
  static String contentKey(Path versionDir, Manifest m) throws IOException {
    MessageDigest key = Sha256.digest();
    Manifest anonymous = new Manifest("", "", m.format(), m.artifact(), m.platform(),
        m.sha256(), m.runId(), m.signature(), m.serving(), m.params(), m.metrics(),
        m.description(), null);
    key.update(ManifestCodec.toJson(anonymous).getBytes(StandardCharsets.UTF_8));
    List<Path> files;
    try (Stream<Path> walk = Files.walk(versionDir)) {
      files = walk.filter(Files::isRegularFile)
          .filter(p -> !versionDir.relativize(p).toString().equals(MANIFEST))
          .sorted((a, b) -> versionDir.relativize(a).toString()
              .compareTo(versionDir.relativize(b).toString()))
          .toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    for (Path f : files) {
      key.update(("\0" + versionDir.relativize(f) + "\0").getBytes(StandardCharsets.UTF_8));
      key.update(Sha256.ofFile(f));
    }
    return Sha256.hex(key);
  }

}
