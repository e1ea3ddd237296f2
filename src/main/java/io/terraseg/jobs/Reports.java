package io.terraseg.jobs;

import io.terraseg.metrics.ConfusionMatrix;
import io.terraseg.metrics.MetricsReport;
import io.terraseg.metrics.SegmentationMetrics;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** metrics.json, metrics.csv and confusion_matrix.png for a run, overall and per scene. */
final class Reports {
  static final String METRICS_JSON = "metrics.json";

  private Reports() {}

  static SegmentationMetrics writeMetrics(OutputDir out, List<String> classNames,
      Map<String, ConfusionMatrix> perScene) {
    ConfusionMatrix total = new ConfusionMatrix(classNames.size());
    SortedMap<String, SegmentationMetrics> perImage = new TreeMap<>();
    perScene.forEach((name, cm) -> {
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
