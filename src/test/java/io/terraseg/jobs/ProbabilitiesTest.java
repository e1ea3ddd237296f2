package io.terraseg.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.terraseg.model.Ensemble;
import io.terraseg.model.EnsembleFixture;
import io.terraseg.model.ModelSpec;
import io.terraseg.model.Tta;
import io.terraseg.plan.Products;
import io.terraseg.raster.SampleType;
import io.terraseg.raster.TestRasters;
import io.terraseg.report.RunSummary;
import io.terraseg.tools.SampleScene;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * segment --probabilities: NAME.prob.tif against PyTorch's softmax of the whole scene (from
 * scripts/ensemble_fixture.py), as GDAL reads it.
 */
class ProbabilitiesTest {
  private static final Path RECEPTIVE_FIELD_MODEL =
      Path.of("src/test/resources/models/receptive-field");
  private static final Path SAMPLE_MODEL = Path.of("scripts/sample-model");

  @TempDir static Path dir;

  private static SegmentJob.Options options(
      Path model, Path image, Path out, int tile, int overlap) {
    return new SegmentJob.Options(
        model, List.of(image.toString()), out.toString(), tile, overlap, 4, List.of(), null);
  }

  /**
   * A scene of 48 tiles split between two tasks (so assembled from part files): round(255 ×
   * softmax) of one forward pass over the whole image, within 1, in K bands described by the class
   * names on the mask's grid. Asking for it after a run without recomputes the scene and leaves the
   * mask byte for byte; asking again skips it; a run without it removes it.
   */
  @Test
  void probabilitiesOfAMultiTaskSceneAreThoseOfOneForwardPass() throws Exception {
    Path image = dir.resolve("large.tif");
    SampleScene.write(image, dir.resolve("large-labels.tif"), 700, 560, 11, false);
    Path out = dir.resolve("large-out");
    SegmentJob.Options plain = options(RECEPTIVE_FIELD_MODEL, image, out, 128, 16);
    SegmentJob.run(TestSpark.session(), plain);
    Path mask = out.resolve("large.mask.tif");
    byte[] maskBytes = Files.readAllBytes(mask);
    Path probabilities = out.resolve("large.prob.tif");
    assertFalse(Files.exists(probabilities), "no probabilities unless asked");

    RunSummary summary =
        SegmentJob.run(
            TestSpark.session(), plain.withProducts(Products.MASK.withProbabilities(true)));
    assertEquals(1, summary.done(), "asking for probabilities recomputes a complete scene");
    assertEquals(48, summary.tiles());
    assertArrayEquals(maskBytes, Files.readAllBytes(mask), "the mask does not change");
    List<String> classes = ModelSpec.read(RECEPTIVE_FIELD_MODEL).classNames();
    assertSoftmaxOf(image, List.of(RECEPTIVE_FIELD_MODEL), Tta.NONE, probabilities, classes);

    JsonNode gdal = TestRasters.gdalinfo(probabilities);
    JsonNode maskInfo = TestRasters.gdalinfo(mask);
    assertEquals(classes.size(), gdal.get("bands").size());
    for (int b = 0; b < classes.size(); b++) {
      JsonNode band = gdal.at("/bands/" + b);
      assertEquals("Byte", band.get("type").asText());
      assertEquals(classes.get(b), band.get("description").asText(), "band " + (b + 1));
      assertEquals("[96,96]", band.get("block").toString(), "one tile per core, as the mask");
      assertFalse(band.has("noDataValue"), "0 is a probability, not nodata");
    }
    assertEquals(maskInfo.get("size"), gdal.get("size"));
    assertEquals(maskInfo.get("geoTransform"), gdal.get("geoTransform"));
    assertEquals(maskInfo.at("/coordinateSystem/wkt"), gdal.at("/coordinateSystem/wkt"));
    assertEquals("DEFLATE", gdal.at("/metadata/IMAGE_STRUCTURE/COMPRESSION").asText());
    assertEquals("PIXEL", gdal.at("/metadata/IMAGE_STRUCTURE/INTERLEAVE").asText());
    JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
    assertEquals(probabilities.toString(), run.at("/inputs/0/probabilities").asText());

    RunSummary again =
        SegmentJob.run(
            TestSpark.session(), plain.withProducts(Products.MASK.withProbabilities(true)));
    assertEquals(1, again.skipped(), "the same run again skips the complete scene");
    Files.delete(probabilities);
    assertEquals(
        1,
        SegmentJob.run(
                TestSpark.session(), plain.withProducts(Products.MASK.withProbabilities(true)))
            .done(),
        "a lost prob.tif recomputes the scene");
    assertTrue(Files.exists(probabilities));
    assertEquals(1, SegmentJob.run(TestSpark.session(), plain).done());
    assertFalse(Files.exists(probabilities), "a run without probabilities leaves none behind");
    JsonNode plainRun = new ObjectMapper().readTree(out.resolve("run.json").toFile());
    assertFalse(plainRun.at("/inputs/0").has("probabilities"));
    assertArrayEquals(maskBytes, Files.readAllBytes(mask));
  }

  /**
   * 13 bands of doubles in 256² blocks are read in strips one tile wide: the probability tiles
   * still land where they belong.
   */
  @Test
  void scenesReadInStripsGiveTheSoftmaxOfOneForwardPass() throws Exception {
    Path image = dir.resolve("wide.tif");
    TestRasters.raster(
            700,
            560,
            13,
            SampleType.FLOAT64,
            (x, y, b) -> (x * 7 + y * 13 + b * 50 + (x * y) % 97) % 256)
        .tiles(256, 256)
        .write(image);
    Path out = dir.resolve("wide-out");
    SegmentJob.run(
        TestSpark.session(),
        options(RECEPTIVE_FIELD_MODEL, image, out, 128, 16)
            .withProducts(Products.MASK.withProbabilities(true)));
    assertSoftmaxOf(
        image,
        List.of(RECEPTIVE_FIELD_MODEL),
        Tta.NONE,
        out.resolve("wide.prob.tif"),
        ModelSpec.read(RECEPTIVE_FIELD_MODEL).classNames());
  }

  /**
   * Two models (one not symmetric under flips, reading other bands) weighted 2 and 1, with flips:
   * the bytes are the weighted mean of their softmax over the flips, as PyTorch computes it.
   */
  @Test
  void anAugmentedEnsembleWritesTheMeanItsClassesComeFrom() throws Exception {
    Path image = dir.resolve("small.tif");
    SampleScene.write(image, dir.resolve("small-labels.tif"), 333, 211, 7, false);
    List<Path> models = List.of(SAMPLE_MODEL, EnsembleFixture.model("skewed"));
    List<Double> weights = List.of(2.0, 1.0);
    Path out = dir.resolve("ensemble-out");
    // Tile 128, overlap 16: both models see 2 pixels around a pixel and each window lies inside
    // the image, so tiles give what the whole image gives, augmented or not.
    SegmentJob.run(
        TestSpark.session(),
        options(SAMPLE_MODEL, image, out, 128, 16)
            .withModels(models, weights, Ensemble.VOTE)
            .withTta(Tta.FLIPS)
            .withProducts(Products.MASK.withProbabilities(true)));
    EnsembleFixture.Scene expected =
        EnsembleFixture.scene(
            image, models, weights, Ensemble.VOTE, Tta.FLIPS, dir.resolve("vote-flips.npz"));
    assertWithinOne(
        expected.probabilities(), readBands(out.resolve("small.prob.tif")), "vote of two, flips");
  }

  /**
   * Nodata in the mask (nodata input, tiles skipped as all nodata) is 0 in every band; elsewhere
   * the bands add up to 255 (each rounded) and the mask's class has the largest.
   */
  @Test
  void nodataIsZeroInEveryBandAndTheMasksClassIsTheMostProbable() throws Exception {
    Path image = dir.resolve("border.tif");
    SampleScene.write(image, dir.resolve("border-labels.tif"), 300, 260, 3, true);
    Path out = dir.resolve("border-out");
    RunSummary summary =
        SegmentJob.run(
            TestSpark.session(),
            options(SAMPLE_MODEL, image, out, 64, 8)
                .withProducts(Products.MASK.withProbabilities(true)));
    assertTrue(summary.tilesPredicted() < summary.tiles(), "some tiles are all nodata");
    int[] mask = SegmentJobTest.readAll(out.resolve("border.mask.tif"));
    byte[] bands = readBands(out.resolve("border.prob.tif"));
    int k = bands.length / mask.length;
    assertEquals(4, k);
    long nodata = 0;
    for (int i = 0; i < mask.length; i++) {
      int sum = 0;
      int best = 0;
      for (int c = 0; c < k; c++) {
        int p = bands[c * mask.length + i] & 0xFF;
        sum += p;
        best = Math.max(best, p);
      }
      if (mask[i] == 255) {
        nodata++;
        assertEquals(0, sum, "pixel " + i + " is nodata in the mask");
      } else {
        assertTrue(Math.abs(sum - 255) <= k / 2, "pixel " + i + ": bands add up to " + sum);
        assertEquals(best, bands[mask[i] * mask.length + i] & 0xFF, "pixel " + i);
      }
    }
    assertTrue(nodata > 1000, "the scene has a nodata border: " + nodata);
  }

  /** Every band of {@code file} is round(255 × PyTorch's softmax of the whole image), within 1. */
  private static void assertSoftmaxOf(
      Path image, List<Path> models, Tta tta, Path file, List<String> classes) throws Exception {
    EnsembleFixture.Scene expected =
        EnsembleFixture.scene(
            image,
            models,
            List.of(1.0),
            Ensemble.MEAN,
            tta,
            dir.resolve(file.getFileName() + ".npz"));
    assertEquals(classes.size() * expected.ids().length, expected.probabilities().length);
    byte[] actual = readBands(file);
    assertWithinOne(expected.probabilities(), actual, file.toString());
  }

  private static void assertWithinOne(float[] expected, byte[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": K × H × W values");
    int off = 0;
    int worst = 0;
    for (int i = 0; i < expected.length; i++) {
      int difference = Math.abs(Math.round(255 * expected[i]) - (actual[i] & 0xFF));
      worst = Math.max(worst, difference);
      off += difference > 1 ? 1 : 0;
    }
    assertEquals(0, off, what + ": values more than 1 from round(255 × p); worst " + worst);
  }

  /** The file's bands as GDAL reads them, K × H × W bytes. */
  private static byte[] readBands(Path file) throws Exception {
    Path raw = Files.createTempFile(dir, "bands", ".raw");
    TestRasters.python(
        String.join(
            "\n",
            "import sys",
            "from osgeo import gdal",
            "open(sys.argv[2], 'wb').write(gdal.Open(sys.argv[1]).ReadAsArray().tobytes())"),
        file.toString(),
        raw.toString());
    return Files.readAllBytes(raw);
  }
}
