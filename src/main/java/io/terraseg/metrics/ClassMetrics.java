package io.terraseg.metrics;

/**
 * Scores of one class, defined in {@link SegmentationMetrics}. A {@code null} score is undefined
 * (its denominator is 0), which is not the same as a score of 0.
 *
 * @param id class index, the row and column of the confusion matrix
 * @param iou TP/(TP+FP+FN); null when the class is absent from both label and prediction
 * @param precision TP/(TP+FP); null when the class was never predicted
 * @param recall TP/(TP+FN); null when the class was never labelled
 * @param f1 2TP/(2TP+FP+FN), equal to the Dice coefficient; null when iou is null
 * @param support labelled pixels of this class (the row sum)
 */
public record ClassMetrics(
    int id, String name, Double iou, Double precision, Double recall, Double f1, long support) {}
