package io.terraseg.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.terraseg.metrics.ConfusionMatrix;
import io.terraseg.model.ModelSpec;
import io.terraseg.predict.ReadOrder;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.raster.RasterInfo;
import io.terraseg.raster.SampleType;
import io.terraseg.raster.TestRasters;
import io.terraseg.report.RunSummary;
import io.terraseg.tiling.TileGrid;
import io.terraseg.tools.SampleScene;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** segment end to end on real local Spark, real DJL inference and real GeoTIFFs. */
class SegmentJobTest {
  private static final Path RECEPTIVE_FIELD_MODEL =
      Path.of("src/test/resources/models/receptive-field");
  private static final Path SAMPLE_MODEL = Path.of("scripts/sample-model");
  private static final Configuration HADOOP = new Configuration();

  @TempDir static Path dir;

  @BeforeAll
  static void scenes() {
    SampleScene.write(
        dir.resolve("images/small.tif"), dir.resolve("labels/small.tif"), 333, 211, 7, false);
    SampleScene.write(
        dir.resolve("nodata/images/border.tif"),
        dir.resolve("nodata/labels/border.tif"),
        300,
        260,
        3,
        true);
    // Two scenes of one size (a swapped mask would still fit) and a smaller one.
    SampleScene.write(
        dir.resolve("many/a.tif"), dir.resolve("many-labels/a.tif"), 150, 120, 31, false);
    SampleScene.write(
        dir.resolve("many/b.tif"), dir.resolve("many-labels/b.tif"), 150, 120, 32, false);
    SampleScene.write(
        dir.resolve("many/c.tif"), dir.resolve("many-labels/c.tif"), 100, 90, 33, false);
  }

  /**
   * The model's receptive field reaches 3 pixels, less than the 8-pixel overlap, so stitching tiles
   * must give exactly the mask of one forward pass over the whole image.
   */
  @Test
  void tiledMaskEqualsOneForwardPassOverTheWholeImage() throws Exception {
    Path out = dir.resolve("equivalence");
    SegmentJob.run(
        TestSpark.session(),
        new SegmentJob.Options(
            RECEPTIVE_FIELD_MODEL,
            List.of(dir.resolve("images").toString()),
            out.toString(),
            null,
            null,
            3,
            List.of(),
            null));

    int[] mask = readAll(out.resolve("small.mask.tif"));
    int[] expected = wholeImagePrediction(dir.resolve("images/small.tif"), RECEPTIVE_FIELD_MODEL);
    int differing = 0;
    for (int i = 0; i < mask.length; i++) {
      differing += mask[i] != expected[i] ? 1 : 0;
    }
    assertEquals(0, differing, "pixels differing from the whole-image forward pass");
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
  }

  @Test
  void maskKeepsTheScenesGeoreferenceAndIsATiledPaletteGeoTiff() throws Exception {
    Path out = dir.resolve("georef");
    RunSummary summary =
        SegmentJob.run(
            TestSpark.session(),
            new SegmentJob.Options(
                SAMPLE_MODEL,
                List.of(dir.resolve("images/small.tif").toString()),
                out.toString(),
                128,
                16,
                4,
                List.of(),
                null));
    RasterInfo image = GeoTiffFile.readInfo(dir.resolve("images/small.tif").toString(), HADOOP);
    RasterInfo mask = GeoTiffFile.readInfo(out.resolve("small.mask.tif").toString(), HADOOP);
    assertTrue(mask.sameGridAs(image), mask.gridDescription() + " vs " + image.gridDescription());
    assertArrayEquals(image.geoTransform(), mask.geoTransform());
    assertEquals(32633, mask.epsg());
    assertEquals(255.0, mask.nodata());
    assertEquals("DEFLATE", mask.compression());
    assertTrue(mask.tiled());
    assertEquals(96, mask.blockWidth());

    JsonNode gdal = Gdal.info(out.resolve("small.mask.tif"));
    assertEquals(333, gdal.at("/size/0").asInt());
    assertEquals(211, gdal.at("/size/1").asInt());
    for (int i = 0; i < 6; i++) {
      assertEquals(image.geoTransform()[i], gdal.at("/geoTransform/" + i).asDouble(), 1e-9);
    }
    assertEquals(
        "32633",
        gdal.at("/coordinateSystem/wkt")
            .asText()
            .replaceAll("(?s).*ID\\[\"EPSG\",(\\d+)\\]\\]$", "$1"));
    assertEquals("Byte", gdal.at("/bands/0/type").asText());
    assertEquals(255.0, gdal.at("/bands/0/noDataValue").asDouble());
    assertEquals("Palette", gdal.at("/bands/0/colorInterpretation").asText());
    assertEquals("[31,120,180,255]", gdal.at("/bands/0/colorTable/entries/0").toString());
    assertEquals("DEFLATE", gdal.at("/metadata/IMAGE_STRUCTURE/COMPRESSION").asText());

    assertEquals(12, summary.tiles()); // ceil(333/96) x ceil(211/96) = 4 x 3
    assertEquals(12, summary.tilesPredicted(), "no nodata: every tile goes through the model");
    assertEquals(333L * 211, summary.pixels());
    JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
    assertEquals(12, run.get("tiles").asInt());
    assertEquals(12, run.get("tiles_predicted").asInt());
    assertEquals(12, run.at("/inputs/0/tiles").asInt());
    assertEquals(
        run.get("tiles").asDouble() / run.get("seconds").asDouble(),
        run.get("tiles_per_second").asDouble(),
        1e-6 * run.get("tiles_per_second").asDouble(),
        "tiles/s is this run's tiles over its seconds");
    // Reading runs ahead on its own thread, so it overlaps the model: each stage is within the
    // total, their sum need not be.
    JsonNode task = run.get("task_seconds");
    for (String stage : List.of("read", "model", "mask", "write")) {
      assertTrue(task.get(stage).asDouble() > 0, stage + " took time: " + task);
      assertTrue(
          task.get(stage).asDouble() <= task.get("total").asDouble(),
          stage + " is within the tasks' total: " + task);
    }
  }

  /**
   * A scene over 512 px gets a Cloud-Optimized mask with overviews, made by the writing task from
   * tiles that two tasks predicted (so read back from part files): GDAL's validator passes, each
   * overview pixel is the mode of its 2×2 block, and the full resolution is what the tiles hold.
   */
  @Test
  void largeSceneMaskIsACogWhoseOverviewsAreModesOfTheMask() throws Exception {
    Path image = dir.resolve("large/images/large.tif");
    SampleScene.write(image, dir.resolve("large/labels/large.tif"), 700, 560, 11, false);
    Path out = dir.resolve("large-out");
    RunSummary summary =
        SegmentJob.run(
            TestSpark.session(),
            new SegmentJob.Options(
                RECEPTIVE_FIELD_MODEL,
                List.of(image.toString()),
                out.toString(),
                128,
                16,
                4,
                List.of(),
                null));
    assertEquals(48, summary.tiles()); // ceil(700/96) x ceil(560/96) = 8 x 6, two tasks' ranges
    Path mask = out.resolve("large.mask.tif");
    JsonNode cog = TestRasters.cog(mask);
    assertEquals("[]", cog.get("errors").toString(), "GDAL's COG validator");
    assertEquals("[[700,560],[350,280]]", cog.get("levels").toString());
    assertEquals("[0]", cog.get("mismatches").toString(), "overview pixels off the mode rule");
    int[] expected = wholeImagePrediction(image, RECEPTIVE_FIELD_MODEL);
    assertArrayEquals(expected, readAll(mask), "full resolution");
    // 700 px fit in the preview's 1024: its map is the full resolution, the legend below it.
    BufferedImage preview = ImageIO.read(out.resolve("large.preview.png").toFile());
    assertEquals(700, preview.getWidth());
    assertTrue(preview.getHeight() > 560, "a legend below the map: " + preview.getHeight());
    try (var left = Files.walk(out.resolve(".terraseg"))) {
      assertEquals(
          List.of(), left.filter(Files::isRegularFile).toList(), "temporary files left behind");
    } catch (java.nio.file.NoSuchFileException gone) {
      // The run removed its work directory altogether.
    }
  }

  /**
   * A source whose blocks are large (13 bands of doubles in 256² tiles) is read in strips one tile
   * wide, so ranges, part files and the mask's row-major tiles all disagree in order: the mask must
   * still be the whole-image prediction, tile for tile, and a valid COG.
   */
  @Test
  void scenesReadInStripsGiveTheSameMaskAsOneForwardPass() throws Exception {
    Path image = dir.resolve("strips/images/wide.tif");
    TestRasters.raster(
            700,
            560,
            13,
            SampleType.FLOAT64,
            (x, y, b) -> (x * 7 + y * 13 + b * 50 + (x * y) % 97) % 256)
        .tiles(256, 256)
        .write(image);
    Path out = dir.resolve("strips-out");
    RunSummary summary =
        SegmentJob.run(
            TestSpark.session(),
            new SegmentJob.Options(
                RECEPTIVE_FIELD_MODEL,
                List.of(image.toString()),
                out.toString(),
                128,
                16,
                4,
                List.of(),
                null));
    assertEquals(48, summary.tiles());
    assertEquals(
        1,
        ReadOrder.stripColumns(GeoTiffFile.readLayout(image.toString(), HADOOP), 128, 16),
        "strips one tile wide");
    Path mask = out.resolve("wide.mask.tif");
    assertEquals("[]", TestRasters.cog(mask).get("errors").toString(), "GDAL's COG validator");
    assertArrayEquals(wholeImagePrediction(image, RECEPTIVE_FIELD_MODEL), readAll(mask));
  }

  /**
   * Nodata input pixels become 255, all-nodata tiles skip the model, and they are left out of the
   * metrics.
   */
  @Test
  void nodataPixelsAreNodataInTheMaskAndSkippedTilesAreCounted() throws Exception {
    Path out = dir.resolve("nodata-out");
    RunSummary summary =
        SegmentJob.run(
            TestSpark.session(),
            new SegmentJob.Options(
                SAMPLE_MODEL,
                List.of(dir.resolve("nodata/images").toString()),
                out.toString(),
                64,
                8,
                8,
                List.of(dir.resolve("nodata/labels").toString()),
                null));
    int[] mask = readAll(out.resolve("border.mask.tif"));
    int[] labels = readAll(dir.resolve("nodata/labels/border.tif"));
    long nodata = 0;
    for (int i = 0; i < mask.length; i++) {
      assertEquals(labels[i] == SampleScene.LABEL_NODATA, mask[i] == 255, "pixel " + i);
      nodata += mask[i] == 255 ? 1 : 0;
    }
    assertTrue(summary.tilesPredicted() < summary.tiles(), "some tiles are all nodata");
    JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    assertEquals(nodata, metrics.get("ignored_pixels").asLong());
    assertEquals(mask.length - nodata, metrics.get("pixels").asLong());
  }

  /**
   * segment --labels counts per tile on the executors and merges across the cluster; that must
   * equal a single pass over the whole mask and label raster, and the evaluate command on the
   * written masks.
   */
  @Test
  void metricsFromSegmentEqualASinglePassCountAndTheEvaluateCommand() throws Exception {
    Path out = dir.resolve("evaluated");
    SegmentJob.run(
        TestSpark.session(),
        new SegmentJob.Options(
            SAMPLE_MODEL,
            List.of(dir.resolve("images").toString()),
            out.toString(),
            64,
            16,
            5,
            List.of(dir.resolve("labels").toString()),
            null));
    int[] mask = readAll(out.resolve("small.mask.tif"));
    int[] labels = readAll(dir.resolve("labels/small.tif"));
    ConfusionMatrix single = new ConfusionMatrix(4);
    for (int i = 0; i < mask.length; i++) {
      single.add(labels[i], mask[i]);
    }
    JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    assertEquals(matrixJson(single), metrics.get("confusion_matrix").toString());
    assertEquals(matrixJson(single), metrics.at("/per_image/small/confusion_matrix").toString());
    assertEquals(
        List.of("water", "vegetation", "bare soil", "built-up"),
        new ObjectMapper().convertValue(metrics.get("class_names"), List.class));
    assertTrue(
        metrics.get("pixel_accuracy").asDouble() > 0.9,
        "the sample model classifies the sample scene");

    Path evaluation = dir.resolve("evaluation");
    EvaluateJob.run(
        TestSpark.session(),
        new EvaluateJob.Options(
            List.of(out.toString()),
            List.of(dir.resolve("labels").toString()),
            ModelSpec.read(SAMPLE_MODEL).classNames(),
            null,
            evaluation.toString()));
    JsonNode evaluated = new ObjectMapper().readTree(evaluation.resolve("metrics.json").toFile());
    assertEquals(metrics.get("confusion_matrix"), evaluated.get("confusion_matrix"));
    assertEquals(metrics.get("miou"), evaluated.get("miou"));
    assertTrue(Files.exists(evaluation.resolve("metrics.csv")));
    assertTrue(Files.exists(evaluation.resolve("confusion_matrix.png")));
  }

  static String matrixJson(ConfusionMatrix cm) throws Exception {
    return new ObjectMapper().writeValueAsString(cm.toArray());
  }

  static int[] readAll(Path file) {
    try (GeoTiffFile tiff = GeoTiffFile.open(file.toString(), HADOOP)) {
      Raster raster = tiff.readWindow(new Rectangle(0, 0, tiff.width(), tiff.height()));
      return raster.getSamples(0, 0, tiff.width(), tiff.height(), 0, (int[]) null);
    }
  }

  /**
   * The reference: normalize the whole image the model.json way and run one forward pass in DJL.
   */
  static int[] wholeImagePrediction(Path image, Path modelDir) throws Exception {
    ModelSpec spec = ModelSpec.read(modelDir);
    try (GeoTiffFile tiff = GeoTiffFile.open(image.toString(), HADOOP);
        Model model = Model.newInstance("reference", Device.cpu(), "PyTorch")) {
      int w = tiff.width();
      int h = tiff.height();
      Raster raster = tiff.readWindow(new Rectangle(0, 0, w, h));
      int[] bands = spec.input().bands();
      float[] input = new float[bands.length * w * h];
      for (int c = 0; c < bands.length; c++) {
        float[] plane = raster.getSamples(0, 0, w, h, bands[c] - 1, (float[]) null);
        for (int i = 0; i < plane.length; i++) {
          input[c * w * h + i] =
              (float)
                  ((plane[i] / spec.input().scale() - spec.input().mean()[c])
                      / spec.input().std()[c]);
        }
      }
      model.load(modelDir.resolve(spec.weights()));
      try (Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator());
          NDManager manager = NDManager.newBaseManager()) {
        NDArray x = manager.create(input, new Shape(1, bands.length, h, w));
        NDArray classes =
            predictor.predict(new NDList(x)).get(0).argMax(1).toType(DataType.INT32, false);
        return classes.toIntArray();
      }
    }
  }

  @Test
  void everyInputGetsItsMaskAndRunJsonListsThem() throws Exception {
    Path out = dir.resolve("two-scenes");
    SegmentJob.run(
        TestSpark.session(),
        new SegmentJob.Options(
            SAMPLE_MODEL,
            List.of(
                dir.resolve("images/*.tif").toString(), dir.resolve("nodata/images").toString()),
            out.toString(),
            null,
            null,
            8,
            List.of(),
            null));
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(
          List.of(
              "_SUCCESS",
              "_scenes",
              "areas.csv",
              "border.mask.tif",
              "border.preview.png",
              "run.json",
              "small.mask.tif",
              "small.preview.png"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
    // model.json's tiles, 256 with overlap 32: stride 192, so 2 x 2 tiles for each scene
    assertEquals(List.of("border", "small"), run.get("inputs").findValuesAsText("name"));
    assertEquals(List.of("done", "done"), run.get("inputs").findValuesAsText("status"));
    assertInput(
        run.at("/inputs/0"), out, "border", dir.resolve("nodata/images/border.tif"), 300, 260, 4);
    assertInput(run.at("/inputs/1"), out, "small", dir.resolve("images/small.tif"), 333, 211, 4);
    assertEquals(8, run.get("tiles").asInt());
    assertEquals(300L * 260 + 333L * 211, run.get("pixels").asLong());
    assertTrue(run.get("metrics").isNull(), "no labels, no metrics: " + run.get("metrics"));
  }

  private static void assertInput(
      JsonNode input, Path out, String name, Path image, int width, int height, int tiles) {
    Path mask = out.resolve(name + ".mask.tif");
    assertEquals(mask.toString(), input.get("mask").asText());
    assertTrue(Files.isRegularFile(mask), mask + " exists");
    Path preview = out.resolve(name + ".preview.png");
    assertEquals(preview.toString(), input.get("preview").asText());
    assertTrue(Files.isRegularFile(preview), preview + " exists");
    assertEquals(image.toString(), input.get("image").asText());
    assertEquals(
        List.of(width, height), List.of(input.get("width").asInt(), input.get("height").asInt()));
    assertEquals(tiles, input.get("tiles").asInt(), name + " tiles");
    assertEquals(new TileGrid(width, height, 256, 32).size(), tiles);
  }

  /**
   * Scenes share tasks (a task ends one scene and starts the next): each scene's mask is still its
   * own image's whole-image forward pass, pixel for pixel.
   */
  @Test
  void inAMultiSceneRunEachMaskIsItsOwnScenesPrediction() throws Exception {
    Path out = dir.resolve("many-out");
    // 12 + 12 + 6 tiles of 64 (stride 48) in batches of 5 on two slots: tasks of 15 tiles,
    // [a 0-12, b 0-3] and [b 3-12, c 0-6].
    SegmentJob.run(
        TestSpark.session(),
        new SegmentJob.Options(
            RECEPTIVE_FIELD_MODEL,
            List.of(dir.resolve("many").toString()),
            out.toString(),
            null,
            null,
            5,
            List.of(),
            null));
    for (String name : List.of("a", "b", "c")) {
      assertArrayEquals(
          wholeImagePrediction(dir.resolve("many/" + name + ".tif"), RECEPTIVE_FIELD_MODEL),
          readAll(out.resolve(name + ".mask.tif")),
          name + ".mask.tif");
    }
    // areas.csv from the tasks' counts (b's from two tasks' parts) equals NumPy's count of each
    // mask as GDAL reads it, times the pixel area of its geotransform; then the run's totals.
    String expected =
        TestRasters.python(
            String.join(
                "\n",
                "import sys",
                "import numpy as np",
                "from osgeo import gdal",
                "names = ['water', 'vegetation', 'bare soil', 'built-up', 'other']",
                "k = len(names)",
                "rows, total, total_area = [], np.zeros(k), np.zeros(k)",
                "for scene in 'abc':",
                "    ds = gdal.Open(sys.argv[1] + '/' + scene + '.mask.tif')",
                "    t = ds.GetGeoTransform()",
                "    counts = np.bincount(ds.ReadAsArray().ravel(), minlength=256)[:k]",
                "    area = counts * abs(t[1] * t[5] - t[2] * t[4])",
                "    total = total + counts",
                "    total_area = total_area + area",
                "    rows += [f'{scene},{c},{names[c]},{counts[c]},{area[c]:.3f}' for c in range(k)]",
                "rows += [f'*,{c},{names[c]},{int(total[c])},{total_area[c]:.3f}' for c in range(k)]",
                "print('scene,class_id,class_name,pixels,area_m2')",
                "print('\\n'.join(rows))"),
            out.toString());
    assertEquals(expected, Files.readString(out.resolve("areas.csv")));
    JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
    assertEquals(
        Files.readAllLines(out.resolve("areas.csv")).get(1).split(",")[3],
        run.at("/inputs/0/class_pixels/0").asText(),
        "run.json has the same counts");
  }

  /**
   * Label pixels equal to the ignore index are left out of the confusion matrix and counted as
   * ignored, by segment --labels and by evaluate alike; the mask itself does not change.
   */
  @Test
  void ignoreIndexLeavesItsLabelPixelsOutOfTheMetrics() throws Exception {
    int ignore = 1;
    Path out = dir.resolve("ignore-index");
    SegmentJob.run(
        TestSpark.session(),
        new SegmentJob.Options(
            SAMPLE_MODEL,
            List.of(dir.resolve("images").toString()),
            out.toString(),
            128,
            16,
            4,
            List.of(dir.resolve("labels").toString()),
            ignore));
    int[] mask = readAll(out.resolve("small.mask.tif"));
    int[] labels = readAll(dir.resolve("labels/small.tif"));
    ConfusionMatrix expected = new ConfusionMatrix(4);
    long ignored = 0;
    for (int i = 0; i < mask.length; i++) {
      if (labels[i] == ignore) {
        ignored++;
      } else {
        expected.add(labels[i], mask[i]);
      }
    }
    assertTrue(ignored > 1000, "the sample scene has vegetation to ignore: " + ignored);
    JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    assertEquals(matrixJson(expected), metrics.get("confusion_matrix").toString());
    assertEquals("[0,0,0,0]", metrics.at("/confusion_matrix/1").toString());
    assertEquals(ignored, metrics.get("ignored_pixels").asLong());
    assertEquals(333L * 211 - ignored, metrics.get("pixels").asLong());

    Path evaluation = dir.resolve("ignore-index-evaluation");
    EvaluateJob.run(
        TestSpark.session(),
        new EvaluateJob.Options(
            List.of(out.toString()),
            List.of(dir.resolve("labels").toString()),
            ModelSpec.read(SAMPLE_MODEL).classNames(),
            ignore,
            evaluation.toString()));
    JsonNode evaluated = new ObjectMapper().readTree(evaluation.resolve("metrics.json").toFile());
    assertEquals(matrixJson(expected), evaluated.get("confusion_matrix").toString());
    assertEquals(ignored, evaluated.get("ignored_pixels").asLong());
  }
}
