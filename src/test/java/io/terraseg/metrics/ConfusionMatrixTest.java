package io.terraseg.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

  @Test
  void countsPixelsByLabelRowAndPredictionColumn() {
    ConfusionMatrix cm = new ConfusionMatrix(3);
    cm.add(0, 0);
    cm.add(0, 2);
    cm.add(0, 2);
    cm.add(2, 1);
    cm.addIgnored(5);

    assertArrayEquals(new long[][] {{1, 0, 2}, {0, 0, 0}, {0, 1, 0}}, cm.toArray());
    assertEquals(2, cm.count(0, 2));
    assertEquals(0, cm.count(2, 0));
    assertEquals(4, cm.pixels());
    assertEquals(5, cm.ignoredPixels());
  }

  /**
   * What treeAggregate does: partial matrices merged in an arbitrary tree equal one pass over all
   * pixels.
   */
  @Test
  void mergingRandomPartialMatricesEqualsSinglePass() {
    int k = 6;
    Random random = new Random(42);
    ConfusionMatrix singlePass = new ConfusionMatrix(k);
    List<ConfusionMatrix> partials = new ArrayList<>();
    for (int tile = 0; tile < 13; tile++) {
      ConfusionMatrix partial = new ConfusionMatrix(k);
      for (int pixel = random.nextInt(2000); pixel > 0; pixel--) {
        int label = random.nextInt(k);
        // Mostly right, like a model: makes the diagonal differ from the rest.
        int predicted = random.nextInt(4) == 0 ? random.nextInt(k) : label;
        partial.add(label, predicted);
        singlePass.add(label, predicted);
      }
      long ignored = random.nextInt(100);
      partial.addIgnored(ignored);
      singlePass.addIgnored(ignored);
      partials.add(partial);
    }

    while (partials.size() > 1) {
      ConfusionMatrix a = partials.remove(random.nextInt(partials.size()));
      ConfusionMatrix b = partials.remove(random.nextInt(partials.size()));
      ConfusionMatrix merged = a.merge(b);
      assertSame(a, merged);
      partials.add(merged);
    }

    assertEquals(singlePass, partials.get(0));
    assertEquals(singlePass.hashCode(), partials.get(0).hashCode());
    assertTrue(singlePass.pixels() > 10_000, "the test must count enough pixels to mean something");
  }

  @Test
  void survivesJavaSerializationAsSparkShipsIt() throws Exception {
    ConfusionMatrix cm = new ConfusionMatrix(4);
    cm.add(3, 1);
    cm.add(2, 2);
    cm.addIgnored(9);

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(cm);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(cm, in.readObject());
    }
  }

  @Test
  void rejectsClassesOutsideRangeNamingValueAndK() {
    ConfusionMatrix cm = new ConfusionMatrix(5);

    IllegalArgumentException label =
        assertThrows(IllegalArgumentException.class, () -> cm.add(7, 0));
    assertEquals("label 7 is outside [0, 5) for K=5", label.getMessage());
    IllegalArgumentException predicted =
        assertThrows(IllegalArgumentException.class, () -> cm.add(0, 5));
    assertEquals("predicted class 5 is outside [0, 5) for K=5", predicted.getMessage());
    assertThrows(IllegalArgumentException.class, () -> cm.add(-1, 0));
    assertEquals(0, cm.pixels(), "a rejected pixel must not be counted");
  }

  @Test
  void rejectsMergeOfDifferentK() {
    ConfusionMatrix three = new ConfusionMatrix(3);
    ConfusionMatrix four = new ConfusionMatrix(4);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> three.merge(four));
    assertEquals("cannot merge a confusion matrix with K=4 into one with K=3", e.getMessage());
  }

  @Test
  void rejectsNonPositiveKAndNegativeIgnoredCount() {
    assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(0));
    assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(2).addIgnored(-1));
  }
}
