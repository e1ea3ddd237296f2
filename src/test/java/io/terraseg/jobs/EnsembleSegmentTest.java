package io.terraseg.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.terraseg.model.Ensemble;
import io.terraseg.model.EnsembleFixture;
import io.terraseg.model.Tta;
import io.terraseg.tools.SampleScene;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * segment with test-time augmentation and ensembles, end to end on local Spark: each model reads
 * its own bands and normalization from the same windows, every tile is augmented, and the stitched
 * mask equals PyTorch's pass over the whole scene.
 */
class EnsembleSegmentTest {
  private static final Path SAMPLE_MODEL = Path.of("scripts/sample-model");
  @TempDir static Path dir;
  static Path image;

  @BeforeAll
  static void scene() {
    image = dir.resolve("images/small.tif");
    SampleScene.write(image, dir.resolve("labels/small.tif"), 333, 211, 7, false);
  }

  private static SegmentJob.Options options(String out) {
    // Tile 128, overlap 16: both models see 2 pixels around a pixel, so a tiled pass equals a
    // whole-image pass, augmented or not (each window lies inside the image).
    return new SegmentJob.Options(
        SAMPLE_MODEL,
        List.of(image.toString()),
        dir.resolve(out).toString(),
        128,
        16,
        3,
        List.of(),
        null);
  }

  /**
   * The sample model (bands 1-3) weighted 2 and the skewed model (bands 3 and 1, another
   * normalization, not symmetric) weighted 1, with flips: PyTorch's answer for the whole scene.
   */
  @Test
  void aTiledAugmentedEnsembleEqualsPyTorchOnTheWholeScene() throws Exception {
    List<Path> models = List.of(SAMPLE_MODEL, EnsembleFixture.model("skewed"));
    List<Double> weights = List.of(2.0, 1.0);
    SegmentJob.run(
        TestSpark.session(),
        options("mean-flips").withModels(models, weights, Ensemble.MEAN).withTta(Tta.FLIPS));
    EnsembleFixture.Scene expected =
        EnsembleFixture.scene(
            image, models, weights, Ensemble.MEAN, Tta.FLIPS, dir.resolve("mean-flips.npz"));
    EnsembleFixture.assertSameClasses(
        expected.ids(), expected.margin(), mask("mean-flips"), "mean of two models with flips");

    JsonNode run = new ObjectMapper().readTree(dir.resolve("mean-flips/run.json").toFile());
    assertEquals("flips", run.get("tta").asText());
    assertEquals("mean", run.at("/ensemble/mode").asText());
    assertEquals(
        List.of("sample-landcover", "skewed"), run.at("/ensemble/models").findValuesAsText("name"));
    assertEquals(
        List.of(SAMPLE_MODEL.toString(), models.get(1).toString()),
        run.at("/ensemble/models").findValuesAsText("dir"));
    assertEquals(List.of("2.0", "1.0"), run.at("/ensemble/models").findValuesAsText("weight"));
  }

  @Test
  void aVoteWithD4EqualsPyTorchOnTheWholeScene() throws Exception {
    List<Path> models = List.of(EnsembleFixture.model("skewed"), SAMPLE_MODEL);
    List<Double> weights = List.of(1.0, 1.0);
    SegmentJob.run(
        TestSpark.session(),
        options("vote-d4").withModels(models, weights, Ensemble.VOTE).withTta(Tta.D4));
    EnsembleFixture.Scene expected =
        EnsembleFixture.scene(
            image, models, weights, Ensemble.VOTE, Tta.D4, dir.resolve("vote-d4.npz"));
    EnsembleFixture.assertSameClasses(
        expected.ids(), expected.margin(), mask("vote-d4"), "vote of two models with d4");
  }

  /** An ensemble of a model with itself writes the model's own mask, byte for byte. */
  @Test
  void aModelWithItselfWritesTheModelsMask() throws Exception {
    SegmentJob.run(TestSpark.session(), options("alone"));
    SegmentJob.run(
        TestSpark.session(),
        options("twice").withModels(List.of(SAMPLE_MODEL, SAMPLE_MODEL), null, Ensemble.MEAN));
    assertArrayEquals(
        Files.readAllBytes(dir.resolve("alone/small.mask.tif")),
        Files.readAllBytes(dir.resolve("twice/small.mask.tif")));
  }

  private static byte[] mask(String out) {
    int[] classes = SegmentJobTest.readAll(dir.resolve(out).resolve("small.mask.tif"));
    byte[] bytes = new byte[classes.length];
    for (int i = 0; i < classes.length; i++) {
      bytes[i] = (byte) classes[i];
    }
    return bytes;
  }
}
