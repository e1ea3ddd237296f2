package io.terraseg.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class SegmentationMetricsTest {
  static final List<String> NAMES = List.of("background", "building", "water", "road");

  /**
   * Water (2) is absent from label and prediction; road (3) is predicted but never labelled.
   * Columns: background 60, building 35, water 0, road 5; 100 pixels counted, 7 ignored.
   */
  static final long[][] COUNTS = {
    {50, 5, 0, 5},
    {10, 30, 0, 0},
    {0, 0, 0, 0},
    {0, 0, 0, 0},
  };

  static ConfusionMatrix matrix(long[][] counts, long ignored) {
    ConfusionMatrix cm = new ConfusionMatrix(counts.length);
    for (int label = 0; label < counts.length; label++) {
      for (int predicted = 0; predicted < counts.length; predicted++) {
        for (long i = 0; i < counts[label][predicted]; i++) {
          cm.add(label, predicted);
        }
      }
    }
    cm.addIgnored(ignored);
    return cm;
  }

  @Test
  void perClassScoresMatchHandComputedValues() {
    SegmentationMetrics m = SegmentationMetrics.of(matrix(COUNTS, 7), NAMES);

    // background: TP 50, FP 10, FN 10
    assertEquals(
        new ClassMetrics(0, "background", 50 / 70.0, 50 / 60.0, 50 / 60.0, 100 / 120.0, 60),
        m.perClass().get(0));
    // building: TP 30, FP 5, FN 10
    assertEquals(
        new ClassMetrics(1, "building", 30 / 45.0, 30 / 35.0, 30 / 40.0, 60 / 75.0, 40),
        m.perClass().get(1));
    // water: nowhere, so nothing is defined
    assertEquals(new ClassMetrics(2, "water", null, null, null, null, 0), m.perClass().get(2));
    // road: 5 false positives, never labelled: iou and precision 0, recall undefined
    assertEquals(new ClassMetrics(3, "road", 0.0, 0.0, null, 0.0, 0), m.perClass().get(3));
  }

  @Test
  void summaryScoresSkipUndefinedClassesButCountFalsePositiveOnes() {
    SegmentationMetrics m = SegmentationMetrics.of(matrix(COUNTS, 7), NAMES);

    assertEquals(4, m.numClasses());
    assertEquals(NAMES, m.classNames());
    assertArrayEquals(COUNTS, m.confusionMatrix());
    assertEquals(100, m.pixels());
    assertEquals(7, m.ignoredPixels());
    // (5/7 + 2/3 + 0) / 3: water left out, road's 0 kept
    assertEquals(29 / 63.0, m.miou(), 1e-15);
    // 0.6 · 5/7 + 0.4 · 2/3
    assertEquals(73 / 105.0, m.fwiou(), 1e-15);
    assertEquals(0.8, m.pixelAccuracy(), 1e-15);
    // (5/6 + 3/4) / 2: only classes with labels have a recall
    assertEquals(19 / 24.0, m.meanAccuracy(), 1e-15);
    // p_o 0.8, p_e (60·60 + 40·35) / 100² = 0.5
    assertEquals(0.6, m.kappa(), 1e-15);
  }

  @Test
  void perfectPredictionScoresOne() {
    SegmentationMetrics m =
        SegmentationMetrics.of(matrix(new long[][] {{3, 0}, {0, 4}}, 0), List.of("a", "b"));

    assertEquals(1.0, m.miou());
    assertEquals(1.0, m.fwiou());
    assertEquals(1.0, m.pixelAccuracy());
    assertEquals(1.0, m.meanAccuracy());
    assertEquals(1.0, m.kappa());
  }

  @Test
  void singleClassEverywhereHasKappaOneRatherThanZeroOverZero() {
    SegmentationMetrics m =
        SegmentationMetrics.of(matrix(new long[][] {{0, 0}, {0, 9}}, 0), List.of("a", "b"));

    assertEquals(1.0, m.kappa());
    assertEquals(1.0, m.miou());
  }

  @Test
  void nothingCountedLeavesEveryScoreUndefined() {
    SegmentationMetrics m =
        SegmentationMetrics.of(matrix(new long[3][3], 12), List.of("a", "b", "c"));

    assertEquals(0, m.pixels());
    assertEquals(12, m.ignoredPixels());
    assertEquals(new ClassMetrics(1, "b", null, null, null, null, 0), m.perClass().get(1));
    assertNull(m.miou());
    assertNull(m.fwiou());
    assertNull(m.pixelAccuracy());
    assertNull(m.meanAccuracy());
    assertNull(m.kappa());
  }

  @Test
  void rejectsWrongNumberOfClassNames() {
    ConfusionMatrix cm = matrix(COUNTS, 0);

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SegmentationMetrics.of(cm, List.of("background", "building", "water")));
    assertEquals(
        "K=4 classes need 4 class names, got 3: [background, building, water]", e.getMessage());
  }
}
