package io.terraseg.predict;

import com.sun.jna.Function;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hands freed native memory back to the operating system (glibc's {@code malloc_trim}) when the
 * process has grown. PyTorch frees each forward pass's activations, but glibc keeps the freed
 * chunks in its arenas, where small long-lived allocations between them (zlib streams, the JVM's
 * own) stop them from being returned: an executor's RSS grew with the batches done, and the arenas'
 * share of an 8000² run's peak was ~300 MB of free memory (jemalloc's profile of the same run had
 * ~100 MB live outside the JVM).
 *
 * <p>Peak RSS of an 8000² run (441 tiles of 512²): trimming after each range of tiles 0.69–0.72 GB;
 * after every batch 0.56–0.57 GB, but each forward pass then faults its pages in again (3.3 s of
 * system time instead of 1.3 s). Trimming once the resident set has grown by {@link #GROWTH_BYTES}
 * since the last trim: 0.59 GB with 1.4 s (32 MiB: 0.56–0.58 GB, 3.0 s; 128 MiB: 0.67 GB). Reading
 * the resident size is one small /proc read. Called through JNA, which DJL already brings.
 */
final class NativeMemory {
  static final long GROWTH_BYTES = 64L << 20;
  private static final Function MALLOC_TRIM = lookup();
  private static final Path STATUS = Path.of("/proc/self/status");

  /** The resident set just after the last trim (or the first look). */
  private static long trimmedAt = -1;

  private NativeMemory() {}

  private static Function lookup() {
    if (!Platform.isLinux()) {
      return null;
    }
    try {
      return Function.getFunction("c", "malloc_trim");
    } catch (UnsatisfiedLinkError e) {
      return null; // not glibc (musl has no malloc_trim)
    }
  }

  /**
   * Returns free arena memory to the system if the process has grown by {@link #GROWTH_BYTES} since
   * the last time; a no-op where the C library is not glibc.
   */
  static synchronized void trimIfGrown() {
    if (MALLOC_TRIM == null) {
      return;
    }
    long resident = residentBytes();
    if (resident < 0) {
      return;
    }
    if (trimmedAt < 0 || resident < trimmedAt) {
      trimmedAt = resident;
    } else if (resident - trimmedAt > GROWTH_BYTES) {
      MALLOC_TRIM.invokeInt(new Object[] {0});
      trimmedAt = Math.max(0, residentBytes());
    }
  }

  /** VmRSS of /proc/self/status, or -1 where there is none. */
  private static long residentBytes() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmRSS:")) {
          return 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // No procfs: nothing to go by.
    }
    return -1;
  }
}
