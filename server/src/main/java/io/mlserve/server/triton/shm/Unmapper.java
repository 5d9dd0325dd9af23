package io.mlserve.server.triton.shm;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases a mapping now rather than when the garbage collector gets to it. Java has no public
 * {@code munmap}; like Netty's {@code PlatformDependent}, this calls
 * {@code sun.misc.Unsafe.invokeCleaner} from the {@code jdk.unsupported} module, found by
 * reflection (no compile-time use of an internal API, no {@code --add-opens} needed on 17).
 * Where that is not available the mapping is only dropped and the collector unmaps it later
 * ({@link #available()} says which; the server logs it once).
 *
 * <p>The caller guarantees that nothing touches the buffer afterwards: an access after the
 * unmap would crash the JVM. {@link MappedRegion} ensures it by reference counting.
 *
 * <p>Stateless after class initialisation; thread-safe.
 */
final class Unmapper {
  private static final Logger log = LoggerFactory.getLogger(Unmapper.class);
  private static final MethodHandle INVOKE_CLEANER = find();

  private Unmapper() {}

  /** Whether mappings are released at once (else when the collector finds them unreachable). */
  static boolean available() {
    return INVOKE_CLEANER != null;
  }

  /** Unmaps {@code mapped} now where possible; otherwise does nothing (see the class note). */
  static void unmap(ByteBuffer mapped) {
    if (INVOKE_CLEANER == null) {
      return;
    }
    try {
      INVOKE_CLEANER.invoke(mapped);
    } catch (Throwable t) {
      log.warn("could not unmap a shared-memory region at once; the collector will", t);
    }
  }

  private static MethodHandle find() {
    try {
      Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
      Field f = unsafeClass.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      Object unsafe = f.get(null);
      return MethodHandles.lookup()
          .findVirtual(unsafeClass, "invokeCleaner",
              MethodType.methodType(void.class, ByteBuffer.class))
          .bindTo(unsafe);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.info("sun.misc.Unsafe.invokeCleaner is not available ({}); shared-memory mappings are "
          + "released by the garbage collector after unregistration", e.toString());
      return null;
    }
  }
}
