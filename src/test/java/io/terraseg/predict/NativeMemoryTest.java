package io.terraseg.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {
  private static final long MB = 1L << 20;

  /** The checks (0-based) at which the rule trims, for resident sizes in MB. */
  private static List<Integer> trims(
      NativeMemory.TrimRule rule, int refillChecks, long... residentMb) {
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < residentMb.length; i++) {
      if (rule.trimAt(residentMb[i] * MB, refillChecks)) {
        at.add(i);
      }
    }
    return at;
  }

  @Test
  void aWorkingSetThatComesBackAfterATrimIsNotTrimmedAgain() {
    NativeMemory.TrimRule rule = new NativeMemory.TrimRule(32 * MB);
    // Start: the working set is 560 MB; then the arenas creep to 600 and are trimmed to 460; the
    // next batches fault the working set back in (560) and stay there: no trim for that.
    assertEquals(
        List.of(4),
        trims(rule, 2, 540, 560, 580, 590, 600, 460, 560, 560, 560, 580, 590, 560, 560));
  }

  @Test
  void growthBeyondTheWorkingSetIsTrimmedEachTimeItRecurs() {
    NativeMemory.TrimRule rule = new NativeMemory.TrimRule(32 * MB);
    assertEquals(List.of(3, 7), trims(rule, 2, 500, 500, 520, 533, 480, 500, 520, 540, 500));
  }

  @Test
  void theFirstChecksOnlyLearnTheWorkingSet() {
    NativeMemory.TrimRule rule = new NativeMemory.TrimRule(32 * MB);
    assertFalse(rule.trimAt(100 * MB, 3));
    assertFalse(rule.trimAt(400 * MB, 3)); // the model and its first batch arrive
    assertFalse(rule.trimAt(500 * MB, 3));
    assertFalse(rule.trimAt(532 * MB, 3));
    assertTrue(rule.trimAt(533 * MB, 3));
  }

  /** More tasks side by side take more checks to refill: a short window would miss some of them. */
  @Test
  void moreTasksLearnOverMoreChecks() {
    // Four tasks refill one after another after the start (500, 520, ... 580 MB).
    long[] resident = {500, 520, 540, 560, 580, 580, 580, 580, 580};
    assertEquals(List.of(4), trims(new NativeMemory.TrimRule(8 * MB), 4, resident));
    assertEquals(List.of(), trims(new NativeMemory.TrimRule(8 * MB), 8, resident));
  }
}
