package io.terraseg.predict;

import com.sun.jna.Function;
import com.sun.jna.Platform;

/**
 * Hands freed native memory back to the operating system (glibc's {@code malloc_trim}). PyTorch
 * frees each forward pass's activations, but glibc keeps the freed chunks in its arenas, where
 * small long-lived allocations between them stop them from being returned: an executor's RSS grew
 * with the tiles done (a 6000² scene peaked at 0.78–0.95 GB, with a trim after each range at
 * 0.64–0.68 GB). Trimming after every batch instead would make each forward pass fault its pages in
 * again (glibc's mmap threshold gave a 4096² run 56 s of system time); after a range it cost about
 * 3% on {@code scripts/bench-segment.sh 4096 2}. Called through JNA, which DJL already brings.
 */
final class NativeMemory {
  private static final Function MALLOC_TRIM = lookup();

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

  /** Returns free arena memory to the system; a no-op where the C library is not glibc. */
  static void trim() {
    if (MALLOC_TRIM != null) {
      MALLOC_TRIM.invokeInt(new Object[] {0});
    }
  }
}
