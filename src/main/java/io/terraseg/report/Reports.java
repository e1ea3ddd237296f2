package io.terraseg.report;

import io.terraseg.metrics.ConfusionMatrix;
import io.terraseg.metrics.MetricsReport;
import io.terraseg.metrics.SegmentationMetrics;
import io.terraseg.write.OutputDir;
import io.terraseg.write.SceneResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * metrics.json, metrics.csv and confusion_matrix.png for a run, overall and per scene; areas.csv,
 * the area of each class per scene and for the run.
 */
public final class Reports {
  public static final String METRICS_JSON = "metrics.json";
  public static final String AREAS_CSV = "areas.csv";

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

  /**
   * areas.csv: {@code scene,class_id,class_name,pixels,area_m2} for every scene with a mask (done
   * now or before), then a row per class for the whole run with scene {@code *}. The counts are the
   * tasks' own (no pass over the masks); area_m2 is empty where a scene's pixel area is unknown (no
   * CRS), and in the run's rows when any scene's is.
   */
  public static void writeAreas(OutputDir out, List<String> classNames, List<SceneResult> scenes) {
    int k = classNames.size();
    long[] pixels = new long[k];
    double[] areas = new double[k];
    boolean allAreas = true;
    StringBuilder csv = new StringBuilder("scene,class_id,class_name,pixels,area_m2\n");
    for (SceneResult scene : scenes) {
      if (scene.status() == SceneResult.Status.FAILED || scene.classPixels() == null) {
        continue;
      }
      allAreas &= scene.classAreas() != null;
      for (int c = 0; c < k; c++) {
        pixels[c] += scene.classPixels()[c];
        double area = scene.classAreas() == null ? Double.NaN : scene.classAreas()[c];
        areas[c] += scene.classAreas() == null ? 0 : area;
        row(csv, scene.name(), c, classNames.get(c), scene.classPixels()[c], area);
      }
    }
    for (int c = 0; c < k; c++) {
      row(csv, "*", c, classNames.get(c), pixels[c], allAreas ? areas[c] : Double.NaN);
    }
    out.write(AREAS_CSV, csv.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static void row(
      StringBuilder csv, String scene, int id, String name, long pixels, double area) {
    csv.append(quote(scene)).append(',').append(id).append(',').append(quote(name)).append(',');
    csv.append(pixels).append(',');
    if (!Double.isNaN(area)) {
      csv.append(String.format(Locale.ROOT, "%.3f", area));
    }
    csv.append('\n');
  }

  /** RFC 4180: a field with a comma, quote or line break goes in quotes, its quotes doubled. */
  private static String quote(String field) {
    return field.matches(".*[,\"\r\n].*") ? '"' + field.replace("\"", "\"\"") + '"' : field;
  }
}
