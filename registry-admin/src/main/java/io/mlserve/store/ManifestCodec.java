package io.mlserve.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads and writes manifests ({@code model.json}): snake_case field names, ISO-8601
 * {@code created_at}, pretty-printed with a trailing newline; unknown fields are ignored on read.
 * Stateless; thread-safe.
 */
public final class ManifestCodec {
  private static final ObjectWriter WRITER =
      StoreJson.MAPPER.writerFor(Manifest.class).withDefaultPrettyPrinter();

  private ManifestCodec() {}

  /** The manifest as pretty-printed JSON (with a trailing newline). */
  public static String toJson(Manifest manifest) {
    Objects.requireNonNull(manifest, "manifest");
    try {
      return WRITER.writeValueAsString(manifest) + "\n";
    } catch (JsonProcessingException e) {
      throw new StoreException("cannot encode manifest of " + manifest.name() + ":"
          + manifest.version() + ": " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Parses manifest JSON.
   *
   * @throws StoreException if it is not valid JSON or not a valid manifest (the message says why)
   */
  public static Manifest fromJson(String json) {
    Objects.requireNonNull(json, "json");
    return decode(json.getBytes(StandardCharsets.UTF_8), "manifest");
  }

  /**
   * Reads a manifest file.
   *
   * @throws NotFoundException if the file does not exist
   * @throws StoreException if it cannot be read or is not a valid manifest
   */
  public static Manifest read(Path file) {
    Objects.requireNonNull(file, "file");
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new NotFoundException("manifest " + shortName(file) + " not found");
    } catch (IOException e) {
      throw new StoreException("cannot read manifest " + shortName(file) + ": "
          + IoErrors.reason(e), e);
    }
    return decode(bytes, "manifest " + shortName(file));
  }

  /** Writes a manifest file atomically (see {@link AtomicFiles#write}). */
  public static void write(AtomicFiles files, Path file, Manifest manifest) {
    Objects.requireNonNull(file, "file");
    try {
      files.write(file, toJson(manifest).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new StoreException("cannot write manifest " + shortName(file) + ": "
          + IoErrors.reason(e), e);
    }
  }

  /** The file's last path components (model/versions/v/model.json), never a server path. */
  private static String shortName(Path file) {
    int n = file.getNameCount();
    return file.subpath(Math.max(0, n - 4), n).toString();
  }

  private static Manifest decode(byte[] bytes, String what) {
    try {
      return StoreJson.MAPPER.readValue(bytes, Manifest.class);
    } catch (IOException e) {
      throw new StoreException("invalid " + what + ": " + rootMessage(e), e);
    }
  }

  /** Validation failures inside record constructors arrive wrapped; report the root reason. */
  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    if (t instanceof NullPointerException && t.getMessage() != null) {
      return "missing required field '" + t.getMessage() + "'";
    }
    if (t instanceof JsonProcessingException jpe) {
      return jpe.getOriginalMessage();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }
}
