package io.terraseg.report;

import io.terraseg.metrics.ConfusionMatrix;
import io.terraseg.metrics.MetricsReport;
import io.terraseg.metrics.SegmentationMetrics;
import io.terraseg.write.OutputDir;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** metrics.json, metrics.csv and confusion_matrix.png for a run, overall and per scene. */
public final class Reports {
  public static final String METRICS_JSON = "metrics.json";

  private Reports() {}

  public static SegmentationMetrics writeMetrics(
      OutputDir out, List<String> classNames, Map<String, ConfusionMatrix> perScene) {
    ConfusionMatrix total = new ConfusionMatrix(classNames.size());
    SortedMap<String, SegmentationMetrics> perImage = new TreeMap<>();
    perScene.forEach(
        (name, cm) -> {
          total.merge(cm);
          perImage.put(name, SegmentationMetrics.of(cm, classNames));
        });
    SegmentationMetrics overall = SegmentationMetrics.of(total, classNames);
    out.write(METRICS_JSON, MetricsReport.json(overall, perImage));
    out.write("metrics.csv", MetricsReport.csv(overall, perImage));
    out.write("confusion_matrix.png", MetricsReport.confusionMatrixPng(overall));
    return overall;
  }
}
