package io.terraseg.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.terraseg.TerraSegException;
import io.terraseg.metrics.ConfusionMatrix;
import io.terraseg.model.Ensemble;
import io.terraseg.model.EnsembleFixture;
import io.terraseg.model.ModelSpec;
import io.terraseg.model.Tta;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.report.RunSummary;
import io.terraseg.tools.SampleScene;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a scheduled job over a growing archive relies on: scenes commit on their own, a re-run
 * redoes only what is missing or stale, the masks a run writes beside its inputs are never inputs,
 * and one bad file neither blocks nor destroys the rest.
 */
class ResumableRunTest {
  private static final Path SAMPLE_MODEL = Path.of("scripts/sample-model");
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void aRerunSkipsCompleteScenesAndRedoesChangedOnes() throws Exception {
    Path images = dir.resolve("images");
    SampleScene.write(images.resolve("a.tif"), dir.resolve("labels/a.tif"), 200, 150, 1, false);
    SampleScene.write(images.resolve("b.tif"), dir.resolve("labels/b.tif"), 180, 160, 2, false);
    Path out = dir.resolve("out");
    RunSummary first = segment(List.of(images.toString()), out, false, false);
    assertEquals(2, first.done());
    byte[] maskA = Files.readAllBytes(out.resolve("a.mask.tif"));
    FileTime writtenA = Files.getLastModifiedTime(out.resolve("a.mask.tif"));
    JsonNode metricsBefore = JSON.readTree(out.resolve("metrics.json").toFile());

    // What a run killed mid-way leaves: hidden run-level staging and work in progress. The next run
    // clears it.
    Files.createDirectories(out.resolve(".terraseg-staging-killed"));
    Files.createDirectories(out.resolve(".terraseg/parts/a"));
    Files.writeString(out.resolve(".terraseg/parts/a/0000000000.part"), "half a part");
    RunSummary again = segment(List.of(images.toString()), out, false, false);
    assertFalse(Files.exists(out.resolve(".terraseg-staging-killed")));
    assertFalse(Files.exists(out.resolve(".terraseg")));
    assertEquals(List.of("skipped", "skipped"), statuses(out));
    assertEquals(0, again.tiles(), "nothing recomputed");
    assertEquals(
        writtenA, Files.getLastModifiedTime(out.resolve("a.mask.tif")), "a's mask untouched");
    assertEquals(
        metricsBefore.get("confusion_matrix"),
        JSON.readTree(out.resolve("metrics.json").toFile()).get("confusion_matrix"),
        "metrics of skipped scenes come from their records");
    assertTrue(Files.exists(out.resolve("_SUCCESS")));

    // A new upload of b (different content and size): only b is recomputed and replaced.
    SampleScene.write(images.resolve("b.tif"), dir.resolve("labels/b.tif"), 260, 140, 3, false);
    segment(List.of(images.toString()), out, false, false);
    assertEquals(List.of("skipped", "done"), statuses(out));
    assertEquals(
        260,
        GeoTiffFile.readInfo(out.resolve("b.mask.tif").toString(), new Configuration()).width());
    assertArrayEquals(maskA, Files.readAllBytes(out.resolve("a.mask.tif")));

    RunSummary forced = segment(List.of(images.toString()), out, true, false);
    assertEquals(List.of("done", "done"), statuses(out));
    assertEquals(2, forced.done());
    assertArrayEquals(
        maskA, Files.readAllBytes(out.resolve("a.mask.tif")), "recomputing gives the same bytes");

    // A scene is complete with its preview only: one lost (say, by a run killed between the
    // renames)
    // recomputes the scene.
    Files.delete(out.resolve("a.preview.png"));
    segment(List.of(images.toString()), out, false, false);
    assertEquals(List.of("done", "skipped"), statuses(out));
    assertTrue(Files.exists(out.resolve("a.preview.png")));
  }

  /**
   * The same scenes with another tile size are other masks: the options are part of the
   * fingerprint.
   */
  @Test
  void changingATilingOptionRecomputes() throws Exception {
    Path image = dir.resolve("images/a.tif");
    SampleScene.write(image, dir.resolve("labels/a.tif"), 200, 150, 1, false);
    Path out = dir.resolve("out");
    segment(List.of(image.toString()), out, false, false);
    SegmentJob.run(
        TestSpark.session(),
        new SegmentJob.Options(
            SAMPLE_MODEL, List.of(image.toString()), out.toString(), 128, 32, 4, List.of(), null));
    assertEquals(List.of("done"), statuses(out));
  }

  /**
   * The TTA, the models, their order, their weights and the ensemble mode are each part of the
   * fingerprint: changing one recomputes the scene, running the same options again skips it.
   */
  @Test
  void changingTheTtaOrTheEnsembleRecomputesAndTheSameOptionsSkip() throws Exception {
    Path image = dir.resolve("images/a.tif");
    SampleScene.write(image, dir.resolve("labels/a.tif"), 200, 150, 1, false);
    Path out = dir.resolve("out");
    Path skewed = EnsembleFixture.model("skewed");
    SegmentJob.Options plain =
        new SegmentJob.Options(
            SAMPLE_MODEL, List.of(image.toString()), out.toString(), 64, 8, 4, List.of(), null);
    Map<String, SegmentJob.Options> runs = new LinkedHashMap<>();
    runs.put("one model", plain);
    runs.put("flips", plain.withTta(Tta.FLIPS));
    runs.put("d4", plain.withTta(Tta.D4));
    List<Path> pair = List.of(SAMPLE_MODEL, skewed);
    runs.put("mean 2, 1", plain.withModels(pair, List.of(2.0, 1.0), Ensemble.MEAN));
    runs.put("mean 1, 2", plain.withModels(pair, List.of(1.0, 2.0), Ensemble.MEAN));
    runs.put("vote 1, 2", plain.withModels(pair, List.of(1.0, 2.0), Ensemble.VOTE));
    List<Path> swapped = List.of(skewed, SAMPLE_MODEL);
    runs.put("swapped", plain.withModels(swapped, List.of(1.0, 2.0), Ensemble.VOTE));
    runs.put(
        "swapped with flips",
        plain.withModels(swapped, List.of(1.0, 2.0), Ensemble.VOTE).withTta(Tta.FLIPS));
    for (Map.Entry<String, SegmentJob.Options> run : runs.entrySet()) {
      SegmentJob.run(TestSpark.session(), run.getValue());
      assertEquals(List.of("done"), statuses(out), run.getKey());
      SegmentJob.run(TestSpark.session(), run.getValue());
      assertEquals(List.of("skipped"), statuses(out), run.getKey() + ", again");
    }
  }

  /** A scheduled run writing into its own input folder takes only the scenes, never their masks. */
  @Test
  void masksWrittenIntoTheInputFolderAreNeverInputs() throws Exception {
    Path folder = dir.resolve("archive");
    SampleScene.write(folder.resolve("a.tif"), dir.resolve("labels/a.tif"), 200, 150, 1, false);
    segment(List.of(folder.toString()), folder, false, false);
    SampleScene.write(folder.resolve("c.tif"), dir.resolve("labels/c.tif"), 120, 100, 4, false);
    RunSummary second = segment(List.of(folder.toString()), folder, false, false);
    assertEquals(List.of("skipped", "done"), statuses(folder));
    assertEquals(2, second.inputs().size());
    assertTrue(Files.exists(folder.resolve("c.mask.tif")));
  }

  /**
   * A truncated upload among good scenes: by default the run stops on it before predicting
   * anything; with keep-going every good scene is committed, run.json names the failure, the run
   * still fails, and once the file is replaced the next run does only that scene.
   */
  @Test
  void oneBadSceneDoesNotBlockTheOthersWithKeepGoing() throws Exception {
    Path images = dir.resolve("images");
    for (int i = 0; i < 3; i++) {
      SampleScene.write(
          images.resolve("s" + i + ".tif"),
          dir.resolve("labels/s" + i + ".tif"),
          150,
          120,
          i,
          false);
    }
    byte[] whole = Files.readAllBytes(images.resolve("s0.tif"));
    Path truncated = images.resolve("upload.tif");
    Files.write(truncated, Arrays.copyOf(whole, whole.length / 2));
    Path out = dir.resolve("out");

    TerraSegException stop =
        assertThrows(
            TerraSegException.class, () -> segment(List.of(images.toString()), out, false, false));
    assertTrue(stop.getMessage().startsWith(truncated + ": truncated"), stop.getMessage());
    assertFalse(Files.exists(out.resolve("s0.mask.tif")));

    TerraSegException failed =
        assertThrows(
            TerraSegException.class, () -> segment(List.of(images.toString()), out, false, true));
    assertTrue(failed.getMessage().startsWith(truncated + ": truncated"), failed.getMessage());
    assertEquals(List.of("done", "done", "done", "failed"), statuses(out));
    JsonNode run = JSON.readTree(out.resolve("run.json").toFile());
    assertTrue(run.at("/inputs/3/error").asText().startsWith(truncated + ": truncated"));
    assertEquals(1, run.get("failed").asInt());
    assertFalse(
        Files.exists(out.resolve("_SUCCESS")), "a run with failures is not marked complete");
    for (int i = 0; i < 3; i++) {
      assertTrue(Files.exists(out.resolve("s" + i + ".mask.tif")));
    }

    Files.copy(images.resolve("s0.tif"), truncated, StandardCopyOption.REPLACE_EXISTING);
    RunSummary fixed = segment(List.of(images.toString()), out, false, false);
    assertEquals(List.of("skipped", "skipped", "skipped", "done"), statuses(out));
    assertEquals(1, fixed.done());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
  }

  /** A problem found inside a task (label values that are not classes) fails that scene only. */
  @Test
  void aFailureInsideATaskFailsOnlyItsScene() throws Exception {
    Path images = dir.resolve("images");
    SampleScene.write(
        images.resolve("good.tif"), dir.resolve("labels/good.tif"), 150, 120, 1, false);
    SampleScene.write(images.resolve("bad.tif"), dir.resolve("labels/bad.tif"), 150, 120, 2, false);
    Gdal.run(
        "gdal_translate",
        "-q",
        "-scale",
        "0",
        "3",
        "4",
        "7",
        dir.resolve("labels/bad.tif").toString(),
        dir.resolve("labels/bad2.tif").toString());
    Files.move(
        dir.resolve("labels/bad2.tif"),
        dir.resolve("labels/bad.tif"),
        StandardCopyOption.REPLACE_EXISTING);
    Path out = dir.resolve("out");
    TerraSegException e =
        assertThrows(
            TerraSegException.class,
            () ->
                SegmentJob.run(
                    TestSpark.session(),
                    new SegmentJob.Options(
                        SAMPLE_MODEL,
                        List.of(images.toString()),
                        out.toString(),
                        64,
                        8,
                        4,
                        List.of(dir.resolve("labels").toString()),
                        null,
                        false,
                        true)));
    assertTrue(e.getMessage().contains("is not a class id"), e.getMessage());
    assertEquals(List.of("failed", "done"), statuses(out));
    assertFalse(Files.exists(out.resolve("bad.mask.tif")));
    JsonNode metrics = JSON.readTree(out.resolve("metrics.json").toFile());
    assertEquals(
        List.of("good"),
        JSON.convertValue(metrics.get("per_image"), Map.class).keySet().stream().toList());
  }

  /**
   * A scene larger than one task is cut into tile ranges, stored as parts and assembled by the task
   * that finishes last: the mask is still exactly one forward pass over the whole image, and its
   * counts exact.
   */
  @Test
  void aSceneSpreadOverManyTasksIsExact() throws Exception {
    Path image = dir.resolve("images/big.tif");
    SampleScene.write(image, dir.resolve("labels/big.tif"), 700, 500, 9, false);
    Path out = dir.resolve("out");
    Path model = Path.of("src/test/resources/models/receptive-field");
    RunSummary summary =
        SegmentJob.run(
            TestSpark.session(),
            new SegmentJob.Options(
                model,
                List.of(image.toString()),
                out.toString(),
                64,
                8,
                4,
                List.of(dir.resolve("labels").toString()),
                null));
    assertEquals(15 * 11, summary.tiles()); // stride 48: more tiles than one task takes
    int[] mask = SegmentJobTest.readAll(out.resolve("big.mask.tif"));
    assertArrayEquals(SegmentJobTest.wholeImagePrediction(image, model), mask);
    int[] labels = SegmentJobTest.readAll(dir.resolve("labels/big.tif"));
    ConfusionMatrix single = new ConfusionMatrix(ModelSpec.read(model).numClasses());
    for (int i = 0; i < mask.length; i++) {
      single.add(labels[i], mask[i]);
    }
    assertEquals(
        SegmentJobTest.matrixJson(single),
        JSON.readTree(out.resolve("metrics.json").toFile()).get("confusion_matrix").toString());
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(
          List.of(
                  "_SUCCESS",
                  "_scenes",
                  "areas.csv",
                  "big.mask.tif",
                  "big.preview.png",
                  "metrics.csv",
                  "metrics.json",
                  "run.json",
                  "confusion_matrix.png")
              .stream()
              .sorted()
              .toList(),
          files.map(p -> p.getFileName().toString()).sorted().toList(),
          "no parts or temporary files left");
    }
  }

  private RunSummary segment(List<String> inputs, Path out, boolean force, boolean keepGoing) {
    return SegmentJob.run(
        TestSpark.session(),
        new SegmentJob.Options(
            SAMPLE_MODEL,
            inputs,
            out.toString(),
            64,
            8,
            4,
            List.of(dir.resolve("labels").toString()),
            null,
            force,
            keepGoing));
  }

  private static List<String> statuses(Path out) throws Exception {
    JsonNode run = JSON.readTree(out.resolve("run.json").toFile());
    return run.get("inputs").findValuesAsText("status");
  }
}
