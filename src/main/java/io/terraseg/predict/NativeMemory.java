package io.terraseg.predict;

import com.sun.jna.Function;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hands freed native memory back to the operating system (glibc's {@code malloc_trim}) when the
 * process has grown beyond its working set. PyTorch frees each forward pass's activations, but
 * glibc keeps the freed chunks in its arenas, where small long-lived allocations between them (zlib
 * streams, the JVM's own) stop them from being returned: without trimming, a 30000² scene's peak
 * RSS was 873 MB against 515 MB for a 1000² one, growing with the batches done.
 *
 * <p>A trim returns everything free, including the activations the next forward pass needs again,
 * whose pages then fault in anew. So the resident set the process comes back to in the checks after
 * a trim (or at the start), {@link #REFILL_CHECKS_PER_TASK} per running task, is taken as its
 * working set, and the next trim comes only when the process outgrows that by {@link
 * #GROWTH_BYTES}: what creeps up batch after batch, not what every batch uses. The previous rule, a
 * trim once the process had grown 64 MiB above the resident set just after the last trim, trimmed
 * after nearly every batch as soon as a forward pass needed more than that (two tasks of the bench
 * model do). The 4096² bench job at batch 2, 4 pairs: 15.0–16.8 s end to end with 2.9–5.0 million
 * minor faults and 5.3–8.8 s of system time with that rule; 12.3–12.7 s, 0.30–0.39 million and ~1 s
 * with this one (and conf/malloc.sh's top pad). A 30000² scene peaked at 584–618 MB (four runs)
 * against 585–592. A larger allowance saves a few more trims but keeps more: 32 MiB after 8 checks
 * peaked at 590–652 MB. Checked after each batch; reading the resident size is one small /proc
 * read. Called through JNA, which DJL already brings.
 */
final class NativeMemory {
  /** How far the process may outgrow its working set before a trim. */
  static final long GROWTH_BYTES = 8L << 20;

  /**
   * Checks per running task after a trim during which the working set comes back: each task's next
   * batch refills its share, and a second one leaves room for the order the tasks check in.
   */
  static final int REFILL_CHECKS_PER_TASK = 2;

  private static final Function MALLOC_TRIM = lookup();
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final TrimRule RULE = new TrimRule(GROWTH_BYTES);

  /** Tasks of this JVM predicting now (RangePredictors open). */
  private static int running;

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
   * Returns free arena memory to the system if the process has outgrown its working set; a no-op
   * where the C library is not glibc.
   */
  static synchronized void trimIfGrown() {
    if (MALLOC_TRIM == null) {
      return;
    }
    long resident = residentBytes();
    if (resident >= 0 && RULE.trimAt(resident, REFILL_CHECKS_PER_TASK * Math.max(1, running))) {
      MALLOC_TRIM.invokeInt(new Object[] {0});
    }
  }

  static synchronized void taskStarted() {
    running++;
  }

  static synchronized void taskEnded() {
    running--;
  }

  /** When to trim, from the resident sizes seen at successive checks. */
  static final class TrimRule {
    private final long growth;

    /** The largest resident set seen in the refill checks since the last trim. */
    private long workingSet;

    private int checksSinceTrim;

    TrimRule(long growth) {
      this.growth = growth;
    }

    /**
     * Whether to trim now, given the resident size at this check and how many checks after a trim
     * learn the working set.
     */
    boolean trimAt(long resident, int refillChecks) {
      if (checksSinceTrim < refillChecks) {
        checksSinceTrim++;
        workingSet = Math.max(workingSet, resident);
        return false;
      }
      if (resident <= workingSet + growth) {
        return false;
      }
      checksSinceTrim = 0;
      workingSet = 0;
      return true;
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
