package io.terraseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.terraseg.jobs.TestSpark;
import io.terraseg.raster.SampleType;
import io.terraseg.raster.TestRasters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * evaluate on hand-made rasters whose confusion matrix is known: a prediction raster with its own
 * nodata value, classes given by --num-classes, and --ignore-index.
 */
class EvaluateCommandTest {
  /**
   * 40 x 30. Labels: classes 0..3 in vertical stripes 10 pixels wide. Prediction: nodata (9) in the
   * top 10 rows, then the label, except class 3 predicted as 2 in the bottom 10 rows.
   */
  private static final int PREDICTION_NODATA = 9;

  @TempDir static Path dir;
  static Path prediction;
  static Path label;

  @BeforeAll
  static void rasters() {
    TestSpark.session();
    label =
        TestRasters.raster(40, 30, 1, SampleType.UINT8, (x, y, b) -> x / 10)
            .write(dir.resolve("labels/scene.tif"));
    prediction =
        TestRasters.raster(
                40,
                30,
                1,
                SampleType.UINT8,
                (x, y, b) -> y < 10 ? PREDICTION_NODATA : x / 10 == 3 && y >= 20 ? 2 : x / 10)
            .nodata((double) PREDICTION_NODATA)
            .write(dir.resolve("predictions/scene.tif"));
  }

  @Test
  void predictionNodataIsIgnoredAndNumClassesNamesTheClasses() throws Exception {
    JsonNode metrics = evaluate("nodata", "--num-classes", "4");
    assertEquals(
        "[[200,0,0,0],[0,200,0,0],[0,0,200,0],[0,0,100,100]]",
        metrics.get("confusion_matrix").toString());
    assertEquals(400, metrics.get("ignored_pixels").asLong(), "the 10 nodata rows");
    assertEquals(800, metrics.get("pixels").asLong());
    assertEquals(4, metrics.get("num_classes").asInt());
    assertEquals(
        List.of("class 0", "class 1", "class 2", "class 3"),
        new ObjectMapper().convertValue(metrics.get("class_names"), List.class));
    // class 2: 200 right, 100 of class 3 predicted as 2; class 3: 100 right of 200
    assertEquals(200.0 / 300, metrics.at("/per_class/2/iou").asDouble(), 1e-9);
    assertEquals(100.0 / 200, metrics.at("/per_class/3/iou").asDouble(), 1e-9);
  }

  @Test
  void ignoreIndexLeavesItsLabelPixelsOut() throws Exception {
    JsonNode metrics = evaluate("ignore", "--num-classes", "4", "--ignore-index", "3");
    assertEquals(
        "[[200,0,0,0],[0,200,0,0],[0,0,200,0],[0,0,0,0]]",
        metrics.get("confusion_matrix").toString());
    assertEquals(400 + 200, metrics.get("ignored_pixels").asLong(), "nodata rows and class 3");
    assertEquals(600, metrics.get("pixels").asLong());
  }

  private static JsonNode evaluate(String name, String... options) throws Exception {
    Path out = dir.resolve(name);
    List<String> args =
        new ArrayList<>(
            List.of(
                "evaluate",
                "--pred",
                prediction.toString(),
                "--label",
                label.toString(),
                "--output",
                out.toString()));
    args.addAll(List.of(options));
    CliTest.Result r = CliTest.run(args.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.err());
    return new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
  }
}
