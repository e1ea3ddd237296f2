package io.terraseg.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Scores derived from one confusion matrix (a scene, or all scenes together).
 *
 * <p>With {@code cm[label][predicted]}, N = {@code pixels} (ignored pixels excluded) and for class
 * k: TP = cm[k][k], FP = column sum − TP, FN = row sum − TP, support = row sum:
 *
 * <ul>
 *   <li>{@code iou} = TP/(TP+FP+FN), null when the class is absent from both label and prediction
 *       (TP+FP+FN = 0). Such a class says nothing about the model, so it is left out of every mean.
 *   <li>{@code precision} = TP/(TP+FP), null when never predicted; {@code recall} = TP/(TP+FN),
 *       null when support = 0; {@code f1} = 2TP/(2TP+FP+FN) (= Dice), null when TP+FP+FN = 0.
 *   <li>{@code miou} = mean of the non-null iou. A class predicted but never labelled has iou 0 and
 *       counts: false positives of a class that is not there are an error.
 *   <li>{@code fwiou} = Σ (support_k / N) · iou_k over the non-null iou.
 *   <li>{@code pixelAccuracy} = Σ TP / N; {@code meanAccuracy} = mean of the non-null recall.
 *   <li>{@code kappa} = (p_o − p_e)/(1 − p_e), p_o = pixelAccuracy, p_e = Σ row_k·col_k / N². p_e =
 *       1 only when every pixel is labelled and predicted as one same class; then p_o = 1 too, the
 *       formula is 0/0, and kappa is reported as 1: agreement is perfect.
 * </ul>
 *
 * All of them are null when N = 0.
 *
 * <p>The record is immutable: lists and the matrix are copied in, and {@link #confusionMatrix()}
 * hands out a copy. As for any record with an array component, {@code equals} compares the matrix
 * by identity.
 *
 * @param confusionMatrix {@code [label][predicted]} counts
 * @param pixels counted pixels, N
 * @param ignoredPixels pixels excluded from the counts (ignore-index, nodata)
 */
public record SegmentationMetrics(
    int numClasses,
    List<String> classNames,
    long[][] confusionMatrix,
    long pixels,
    long ignoredPixels,
    List<ClassMetrics> perClass,
    Double miou,
    Double fwiou,
    Double pixelAccuracy,
    Double meanAccuracy,
    Double kappa) {

  public SegmentationMetrics {
    classNames = List.copyOf(classNames);
    perClass = List.copyOf(perClass);
    confusionMatrix = deepCopy(confusionMatrix);
  }

  /**
   * Computes all scores of {@code cm}.
   *
   * @param classNames one name per class, index = class id
   * @throws IllegalArgumentException if there is not exactly one name per class
   */
  public static SegmentationMetrics of(ConfusionMatrix cm, List<String> classNames) {
    int k = cm.numClasses();
    if (classNames.size() != k) {
      throw new IllegalArgumentException(
          "K="
              + k
              + " classes need "
              + k
              + " class names, got "
              + classNames.size()
              + ": "
              + classNames);
    }
    long[][] counts = cm.toArray();
    long[] rowSums = new long[k];
    long[] colSums = new long[k];
    for (int label = 0; label < k; label++) {
      for (int predicted = 0; predicted < k; predicted++) {
        rowSums[label] += counts[label][predicted];
        colSums[predicted] += counts[label][predicted];
      }
    }

    List<ClassMetrics> perClass = new ArrayList<>(k);
    long correct = 0;
    for (int c = 0; c < k; c++) {
      long tp = counts[c][c];
      long fp = colSums[c] - tp;
      long fn = rowSums[c] - tp;
      perClass.add(
          new ClassMetrics(
              c,
              classNames.get(c),
              ratio(tp, tp + fp + fn),
              ratio(tp, tp + fp),
              ratio(tp, tp + fn),
              ratio(2 * tp, 2 * tp + fp + fn),
              rowSums[c]));
      correct += tp;
    }

    long n = cm.pixels();
    if (n == 0) {
      return new SegmentationMetrics(
          k, classNames, counts, n, cm.ignoredPixels(), perClass, null, null, null, null, null);
    }
    double fwiou = 0;
    double pe = 0;
    for (ClassMetrics c : perClass) {
      if (c.iou() != null) {
        fwiou += (double) c.support() / n * c.iou();
      }
      // Fractions first: products of counts overflow long on large scenes, and a lone class gives
      // exactly 1.0 here, which the kappa special case relies on.
      pe += ((double) rowSums[c.id()] / n) * ((double) colSums[c.id()] / n);
    }
    double po = (double) correct / n;
    return new SegmentationMetrics(
        k,
        classNames,
        counts,
        n,
        cm.ignoredPixels(),
        perClass,
        mean(perClass.stream().map(ClassMetrics::iou).toList()),
        fwiou,
        po,
        mean(perClass.stream().map(ClassMetrics::recall).toList()),
        pe == 1 ? 1.0 : (po - pe) / (1 - pe));
  }

  /** A copy; the record keeps its own. */
  @Override
  public long[][] confusionMatrix() {
    return deepCopy(confusionMatrix);
  }

  private static Double ratio(long numerator, long denominator) {
    return denominator == 0 ? null : (double) numerator / denominator;
  }

  private static Double mean(List<Double> values) {
    OptionalDouble mean =
        values.stream().filter(Objects::nonNull).mapToDouble(Double::doubleValue).average();
    return mean.isPresent() ? mean.getAsDouble() : null;
  }

  private static long[][] deepCopy(long[][] matrix) {
    return Arrays.stream(matrix).map(long[]::clone).toArray(long[][]::new);
  }
}
