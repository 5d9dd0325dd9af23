package io.mlserve.server.alerts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The CPU and memory limits of this process's control group, read from a cgroup file system
 * (normally {@code /sys/fs/cgroup}) and the process's membership ({@code /proc/self/cgroup}):
 *
 * <ul>
 *   <li>cgroup v2 (the root has {@code cgroup.controllers}): {@code cpu.max} ("quota period" or
 *       "max period") and {@code memory.max} (bytes or "max");
 *   <li>cgroup v1: {@code cpu/cpu.cfs_quota_us} over {@code cpu.cfs_period_us} (quota -1: none)
 *       and {@code memory/memory.limit_in_bytes} (values of 2^62 and above mean none: the
 *       kernel writes its page-rounded LONG_MAX there).
 * </ul>
 *
 * Limits are looked up in the process's own group and each ancestor up to the mount (the
 * tightest wins, as the kernel enforces); in a container with a cgroup namespace that is the
 * mount's root. A missing or unreadable file is no limit. Reads the files on every call (a
 * limit may change at runtime). Immutable; thread-safe.
 */
public final class CgroupLimits {
  private static final long ABSURD_V1 = 1L << 62;

  private final Path root;
  private final Path selfCgroup;

  /**
   * @param root where the cgroup file system is mounted
   * @param selfCgroup the process's membership file ({@code /proc/self/cgroup})
   */
  public CgroupLimits(Path root, Path selfCgroup) {
    this.root = Objects.requireNonNull(root, "root");
    this.selfCgroup = Objects.requireNonNull(selfCgroup, "selfCgroup");
  }

  /** This machine's: {@code /sys/fs/cgroup} and {@code /proc/self/cgroup}. */
  public static CgroupLimits system() {
    return new CgroupLimits(Path.of("/sys/fs/cgroup"), Path.of("/proc/self/cgroup"));
  }

  /** Whether the mount is a cgroup v2 (unified) hierarchy. */
  public boolean isV2() {
    return Files.isRegularFile(root.resolve("cgroup.controllers"));
  }

  /** The CPU quota in cores (quota / period), empty when there is none. */
  public OptionalDouble cpuCores() {
    double best = Double.POSITIVE_INFINITY;
    if (isV2()) {
      for (Path dir : chain(root, membership(null))) {
        String[] parts = read(dir.resolve("cpu.max")).split("\\s+");
        if (parts.length == 2 && !parts[0].equals("max")) {
          best = Math.min(best, ratio(parseLong(parts[0]), parseLong(parts[1])));
        }
      }
    } else {
      for (String name : List.of("cpu", "cpu,cpuacct", "cpuacct,cpu")) {
        Path mount = root.resolve(name);
        for (Path dir : chain(mount, membership("cpu"))) {
          best = Math.min(best, ratio(parseLong(read(dir.resolve("cpu.cfs_quota_us"))),
              parseLong(read(dir.resolve("cpu.cfs_period_us")))));
        }
      }
    }
    return Double.isFinite(best) ? OptionalDouble.of(best) : OptionalDouble.empty();
  }

  /** The memory limit in bytes, empty when there is none. */
  public OptionalLong memoryBytes() {
    long best = Long.MAX_VALUE;
    boolean v2 = isV2();
    Path mount = v2 ? root : root.resolve("memory");
    for (Path dir : chain(mount, membership(v2 ? null : "memory"))) {
      long v = parseLong(read(dir.resolve(v2 ? "memory.max" : "memory.limit_in_bytes")));
      if (v > 0 && (v2 || v < ABSURD_V1)) {
        best = Math.min(best, v);
      }
    }
    return best == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(best);
  }

  private static double ratio(long quota, long period) {
    return quota > 0 && period > 0 ? (double) quota / period : Double.POSITIVE_INFINITY;
  }

  /**
   * The process's group path for {@code controller} (v1) or the unified hierarchy (v2: null),
   * relative, from {@code /proc/self/cgroup}; "" when not found.
   */
  private String membership(String controller) {
    for (String line : read(selfCgroup).split("\n")) {
      String[] f = line.split(":", 3);
      if (f.length < 3) {
        continue;
      }
      boolean match = controller == null ? f[0].equals("0") && f[1].isEmpty()
          : List.of(f[1].split(",")).contains(controller);
      if (match) {
        return f[2].trim();
      }
    }
    return "";
  }

  /** The group's directory and each ancestor up to {@code mount}, those that exist. */
  private static List<Path> chain(Path mount, String group) {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(mount)) {
      return out;
    }
    Path dir = mount.resolve(group.replaceFirst("^/+", "")).normalize();
    if (!dir.startsWith(mount)) {
      dir = mount;
    }
    for (Path d = dir; d != null && d.startsWith(mount); d = d.getParent()) {
      if (Files.isDirectory(d)) {
        out.add(d);
      }
    }
    return out;
  }

  private static String read(Path file) {
    try {
      if (!Files.isRegularFile(file) || Files.size(file) > 65_536) {
        return "";
      }
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
    } catch (IOException | SecurityException e) {
      return "";
    }
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
