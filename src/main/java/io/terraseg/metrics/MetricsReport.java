package io.terraseg.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.stream.Collectors.joining;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Stream;

/**
 * The evaluation outputs of a job: {@code metrics.json}, {@code metrics.csv} and {@code
 * confusion_matrix.png}, as bytes for the caller to write wherever the job's output lives.
 *
 * <p>{@code metrics.csv} holds two tables, each with its own header row, separated by one empty
 * line, so that a spreadsheet shows both as they are and each can be sorted or filtered on its own:
 *
 * <pre>
 * scope,class_id,class_name,iou,precision,recall,f1,support
 * all,0,background,0.7142857142857143,0.8333333333333334,0.8333333333333334,0.8333333333333334,60
 * ...                                   (K rows for "all", then K rows per scene, scenes in map order)
 *
 * scope,pixels,ignored_pixels,miou,fwiou,pixel_accuracy,mean_accuracy,kappa
 * all,100,7,0.4603174603174603,0.6952380952380952,0.8,0.7916666666666667,0.6
 * ...                                   (one row per scene)
 * </pre>
 *
 * Scope {@code all} is every scene together; other scopes are scene names. Undefined (null) scores
 * are empty cells, numbers are written at full precision, and text with a comma, quote or line
 * break is quoted as RFC 4180 says.
 */
public final class MetricsReport {
  private static final ObjectWriter JSON = new ObjectMapper().writerWithDefaultPrettyPrinter();
  private static final String OVERALL_SCOPE = "all";

  private MetricsReport() {}

  /**
   * {@code metrics.json}: the fields of {@code overall} in snake_case ({@code num_classes,
   * class_names, confusion_matrix, pixels, ignored_pixels, per_class: [{id, name, iou, precision,
   * recall, f1, support}], miou, fwiou, pixel_accuracy, mean_accuracy, kappa}), then {@code
   * per_image}: scene name → the same fields. Undefined scores are JSON null; doubles are written
   * at full precision.
   */
  public static byte[] json(
      SegmentationMetrics overall, SortedMap<String, SegmentationMetrics> perImage) {
    ObjectNode root = toJson(overall);
    ObjectNode images = root.putObject("per_image");
    perImage.forEach((scene, metrics) -> images.set(scene, toJson(metrics)));
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code metrics.csv}, laid out as the class comment shows. */
  public static byte[] csv(
      SegmentationMetrics overall, SortedMap<String, SegmentationMetrics> perImage) {
    // A list, not a map: a scene may be called "all" too, and must not replace the overall scope.
    List<Map.Entry<String, SegmentationMetrics>> scopes =
        Stream.concat(Stream.of(Map.entry(OVERALL_SCOPE, overall)), perImage.entrySet().stream())
            .toList();
    StringBuilder out = new StringBuilder();
    row(out, "scope", "class_id", "class_name", "iou", "precision", "recall", "f1", "support");
    for (Map.Entry<String, SegmentationMetrics> scope : scopes) {
      for (ClassMetrics c : scope.getValue().perClass()) {
        row(
            out,
            scope.getKey(),
            c.id(),
            c.name(),
            c.iou(),
            c.precision(),
            c.recall(),
            c.f1(),
            c.support());
      }
    }
    out.append('\n');
    row(
        out,
        "scope",
        "pixels",
        "ignored_pixels",
        "miou",
        "fwiou",
        "pixel_accuracy",
        "mean_accuracy",
        "kappa");
    for (Map.Entry<String, SegmentationMetrics> scope : scopes) {
      SegmentationMetrics m = scope.getValue();
      row(
          out,
          scope.getKey(),
          m.pixels(),
          m.ignoredPixels(),
          m.miou(),
          m.fwiou(),
          m.pixelAccuracy(),
          m.meanAccuracy(),
          m.kappa());
    }
    return out.toString().getBytes(UTF_8);
  }

  /**
   * {@code confusion_matrix.png}: the row-normalized matrix as a heatmap (each cell is the share of
   * the row's labelled pixels), class names on both axes, labels as rows and predictions as
   * columns, mIoU in the title. Cells show the percentage and the count where they fit; rows of
   * classes that were never labelled are grey. Renders without a display (headless AWT); legible up
   * to about 30 classes.
   */
  public static byte[] confusionMatrixPng(SegmentationMetrics overall) {
    return ConfusionMatrixPlot.png(overall);
  }

  private static ObjectNode toJson(SegmentationMetrics m) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("num_classes", m.numClasses());
    ArrayNode names = node.putArray("class_names");
    m.classNames().forEach(names::add);
    ArrayNode matrix = node.putArray("confusion_matrix");
    for (long[] counts : m.confusionMatrix()) {
      ArrayNode row = matrix.addArray();
      Arrays.stream(counts).forEach(row::add);
    }
    node.put("pixels", m.pixels());
    node.put("ignored_pixels", m.ignoredPixels());
    ArrayNode perClass = node.putArray("per_class");
    for (ClassMetrics c : m.perClass()) {
      perClass
          .addObject()
          .put("id", c.id())
          .put("name", c.name())
          .put("iou", c.iou())
          .put("precision", c.precision())
          .put("recall", c.recall())
          .put("f1", c.f1())
          .put("support", c.support());
    }
    node.put("miou", m.miou());
    node.put("fwiou", m.fwiou());
    node.put("pixel_accuracy", m.pixelAccuracy());
    node.put("mean_accuracy", m.meanAccuracy());
    node.put("kappa", m.kappa());
    return node;
  }

  private static void row(StringBuilder out, Object... cells) {
    out.append(Arrays.stream(cells).map(MetricsReport::csvCell).collect(joining(","))).append('\n');
  }

  private static String csvCell(Object value) {
    if (value == null) {
      return "";
    }
    String text = value.toString();
    boolean quote = text.chars().anyMatch(ch -> ",\"\r\n".indexOf(ch) >= 0);
    return quote ? '"' + text.replace("\"", "\"\"") + '"' : text;
  }
}
