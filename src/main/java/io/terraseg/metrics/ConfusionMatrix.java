package io.terraseg.metrics;

import java.io.Serial;
import java.io.Serializable;
import java.util.Arrays;

/**
 * K×K pixel counts, rows = label, columns = prediction.
 *
 * <p>One instance counts one tile inside a Spark task; the driver merges them with {@code
 * treeAggregate}, hence {@link Serializable} and an in-place {@link #merge}. Counts are exact: a
 * pixel belongs to exactly one tile core, so merged counts equal a single pass over the scene. Not
 * thread-safe.
 */
public final class ConfusionMatrix implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  private final int numClasses;

  /** Row-major {@code [label * K + predicted]}: one allocation, one index computation per pixel. */
  private final long[] counts;

  private long ignoredPixels;

  /**
   * @throws IllegalArgumentException if {@code numClasses < 1}
   */
  public ConfusionMatrix(int numClasses) {
    if (numClasses < 1) {
      throw new IllegalArgumentException("number of classes must be at least 1, got " + numClasses);
    }
    this.numClasses = numClasses;
    this.counts = new long[Math.multiplyExact(numClasses, numClasses)];
  }

  /**
   * The matrix {@link #toArray} and {@link #ignoredPixels} describe: how a recorded scene's counts
   * come back.
   */
  public static ConfusionMatrix of(long[][] rows, long ignoredPixels) {
    ConfusionMatrix cm = new ConfusionMatrix(rows.length);
    for (int label = 0; label < rows.length; label++) {
      if (rows[label].length != rows.length) {
        throw new IllegalArgumentException(
            "confusion matrix row "
                + label
                + " has "
                + rows[label].length
                + " columns, expected "
                + rows.length);
      }
      System.arraycopy(rows[label], 0, cm.counts, label * rows.length, rows.length);
    }
    cm.addIgnored(ignoredPixels);
    return cm;
  }

  /**
   * Counts one pixel.
   *
   * @throws IllegalArgumentException if either class is outside {@code [0, K)}; ignore-index and
   *     nodata pixels must be filtered by the caller and reported through {@link #addIgnored}
   */
  public void add(int label, int predicted) {
    checkClass("label", label);
    checkClass("predicted class", predicted);
    counts[label * numClasses + predicted]++;
  }

  /** Records pixels left out of the counts (ignore-index, nodata), so reports can say how many. */
  void addIgnored(long pixels) {
    if (pixels < 0) {
      throw new IllegalArgumentException("ignored pixel count must be >= 0, got " + pixels);
    }
    ignoredPixels += pixels;
  }

  /**
   * Adds {@code other}'s counts to this matrix; {@code other} is unchanged.
   *
   * @return this, so that it can serve directly as a {@code treeAggregate} combiner
   * @throws IllegalArgumentException if the two matrices have different K
   */
  public ConfusionMatrix merge(ConfusionMatrix other) {
    if (other.numClasses != numClasses) {
      throw new IllegalArgumentException(
          "cannot merge a confusion matrix with K="
              + other.numClasses
              + " into one with K="
              + numClasses);
    }
    for (int i = 0; i < counts.length; i++) {
      counts[i] += other.counts[i];
    }
    ignoredPixels += other.ignoredPixels;
    return this;
  }

  public int numClasses() {
    return numClasses;
  }

  public long count(int label, int predicted) {
    checkClass("label", label);
    checkClass("predicted class", predicted);
    return counts[label * numClasses + predicted];
  }

  /** Counted pixels, i.e. the sum of all cells; ignored pixels are not included. */
  public long pixels() {
    return Arrays.stream(counts).sum();
  }

  public long ignoredPixels() {
    return ignoredPixels;
  }

  /** A fresh copy, {@code [label][predicted]}. */
  public long[][] toArray() {
    long[][] rows = new long[numClasses][];
    for (int label = 0; label < numClasses; label++) {
      rows[label] = Arrays.copyOfRange(counts, label * numClasses, (label + 1) * numClasses);
    }
    return rows;
  }

  private void checkClass(String role, int value) {
    if (value < 0 || value >= numClasses) {
      throw new IllegalArgumentException(
          role + " " + value + " is outside [0, " + numClasses + ") for K=" + numClasses);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfusionMatrix other
        && numClasses == other.numClasses
        && ignoredPixels == other.ignoredPixels
        && Arrays.equals(counts, other.counts);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * numClasses + Long.hashCode(ignoredPixels)) + Arrays.hashCode(counts);
  }

  /** Readable in test failures and logs. */
  @Override
  public String toString() {
    return "ConfusionMatrix[K="
        + numClasses
        + ", ignored="
        + ignoredPixels
        + ", counts="
        + Arrays.deepToString(toArray())
        + "]";
  }
}
