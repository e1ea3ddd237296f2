package io.terraseg.metrics;

import static io.terraseg.metrics.SegmentationMetricsTest.COUNTS;
import static io.terraseg.metrics.SegmentationMetricsTest.NAMES;
import static io.terraseg.metrics.SegmentationMetricsTest.matrix;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetricsReportTest {
  private static final List<String> SUMMARY_KEYS =
      List.of(
          "num_classes",
          "class_names",
          "confusion_matrix",
          "pixels",
          "ignored_pixels",
          "per_class",
          "miou",
          "fwiou",
          "pixel_accuracy",
          "mean_accuracy",
          "kappa");

  private final SegmentationMetrics overall = SegmentationMetrics.of(matrix(COUNTS, 7), NAMES);
  private final SortedMap<String, SegmentationMetrics> perImage = new TreeMap<>();

  MetricsReportTest() {
    perImage.put("scene_b.tif", overall);
    // Only background, all correct: the other classes are undefined here.
    perImage.put(
        "scene,a.tif",
        SegmentationMetrics.of(
            matrix(new long[][] {{4, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}}, 0),
            NAMES));
  }

  @Test
  void jsonHasSnakeCaseKeysNullsAndPerImage() throws Exception {
    JsonNode root = new ObjectMapper().readTree(MetricsReport.json(overall, perImage));

    List<String> expectedKeys = new ArrayList<>(SUMMARY_KEYS);
    expectedKeys.add("per_image");
    assertEquals(expectedKeys, fieldNames(root));
    assertEquals(4, root.get("num_classes").asInt());
    assertEquals("road", root.get("class_names").get(3).asText());
    assertEquals(10, root.get("confusion_matrix").get(1).get(0).asLong());
    assertEquals(100, root.get("pixels").asLong());
    assertEquals(7, root.get("ignored_pixels").asLong());
    assertEquals(29 / 63.0, root.get("miou").asDouble(), 0, "doubles keep full precision");
    assertEquals(0.6, root.get("kappa").asDouble(), 1e-15);

    JsonNode water = root.get("per_class").get(2);
    assertEquals(
        List.of("id", "name", "iou", "precision", "recall", "f1", "support"), fieldNames(water));
    assertEquals("water", water.get("name").asText());
    assertTrue(water.get("iou").isNull());
    assertTrue(root.get("per_class").get(3).get("recall").isNull());
    assertEquals(0.0, root.get("per_class").get(3).get("iou").asDouble());

    JsonNode images = root.get("per_image");
    assertEquals(List.of("scene,a.tif", "scene_b.tif"), fieldNames(images));
    JsonNode sceneA = images.get("scene,a.tif");
    assertEquals(SUMMARY_KEYS, fieldNames(sceneA));
    assertEquals(1.0, sceneA.get("miou").asDouble());
    assertTrue(sceneA.get("per_class").get(1).get("iou").isNull());
    assertEquals(root.get("per_class"), images.get("scene_b.tif").get("per_class"));
  }

  @Test
  void csvHasOneRowPerScopeAndClassThenOneSummaryRowPerScope() {
    List<String> lines = new String(MetricsReport.csv(overall, perImage), UTF_8).lines().toList();

    assertEquals("scope,class_id,class_name,iou,precision,recall,f1,support", lines.get(0));
    assertEquals(
        "all,0,background,"
            + 50 / 70.0
            + ","
            + 50 / 60.0
            + ","
            + 50 / 60.0
            + ","
            + 100 / 120.0
            + ",60",
        lines.get(1));
    assertEquals("all,2,water,,,,,0", lines.get(3));
    assertEquals("all,3,road,0.0,0.0,,0.0,0", lines.get(4));
    assertEquals("\"scene,a.tif\",0,background,1.0,1.0,1.0,1.0,4", lines.get(5));
    assertEquals("\"scene,a.tif\",3,road,,,,,0", lines.get(8));
    assertEquals("scene_b.tif,3,road,0.0,0.0,,0.0,0", lines.get(12));
    assertEquals("", lines.get(13));
    String overallScores =
        ",100,7,"
            + overall.miou()
            + ","
            + overall.fwiou()
            + ","
            + overall.pixelAccuracy()
            + ","
            + overall.meanAccuracy()
            + ","
            + overall.kappa();
    assertEquals(
        List.of(
            "scope,pixels,ignored_pixels,miou,fwiou,pixel_accuracy,mean_accuracy,kappa",
            "all" + overallScores,
            "\"scene,a.tif\",4,0,1.0,1.0,1.0,1.0,1.0",
            "scene_b.tif" + overallScores),
        lines.subList(14, lines.size()));
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 25})
  void pngDecodesToALegibleHeatmap(int k) throws Exception {
    Random random = new Random(k);
    long[][] counts = new long[k][k];
    for (int label = 0; label < k - 1; label++) { // the last class is never labelled: a grey row
      for (int predicted = 0; predicted < k; predicted++) {
        counts[label][predicted] =
            label == predicted ? 500 + random.nextInt(5000) : random.nextInt(20);
      }
    }
    List<String> names =
        IntStream.range(0, k)
            .mapToObj(c -> c == 1 ? "class 1, a name too long to show whole" : "class " + c)
            .toList();
    SegmentationMetrics metrics = SegmentationMetrics.of(matrix(counts, 0), names);

    BufferedImage image =
        ImageIO.read(new ByteArrayInputStream(MetricsReport.confusionMatrixPng(metrics)));

    assertNotNull(image, "not a PNG ImageIO can read");
    int minSide = 30 * k; // at least ~30 px per cell, or counts and names cannot fit
    assertTrue(
        image.getWidth() >= minSide
            && image.getHeight() >= minSide
            && image.getWidth() <= 1600
            && image.getHeight() <= 1600,
        "size " + image.getWidth() + "x" + image.getHeight());
    long white = 0;
    long dark = 0;
    long grey = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y) & 0xFFFFFF;
        int r = rgb >> 16;
        int g = (rgb >> 8) & 0xFF;
        int b = rgb & 0xFF;
        white += rgb == 0xFFFFFF ? 1 : 0;
        dark += b > 90 && r < 40 ? 1 : 0; // the dark blue of a strong diagonal
        grey += r == g && g == b && r > 200 && r < 230 ? 1 : 0;
      }
    }
    long area = (long) image.getWidth() * image.getHeight();
    assertTrue(white > area / 10, "background and margins are white");
    assertTrue(
        dark > (long) (k - 1) * 200, "each labelled class has a dark diagonal cell: " + dark);
    assertTrue(grey > 30L * 20 * k, "the never-labelled row is grey: " + grey);
  }

  @Test
  void pngRendersWhenNothingWasCounted() throws Exception {
    SegmentationMetrics empty = SegmentationMetrics.of(new ConfusionMatrix(2), List.of("a", "b"));

    BufferedImage image =
        ImageIO.read(new ByteArrayInputStream(MetricsReport.confusionMatrixPng(empty)));

    assertNotNull(image);
    assertFalse(image.getWidth() < 100 || image.getHeight() < 100);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
