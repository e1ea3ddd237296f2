package io.terraseg.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.terraseg.jobs.SegmentJob;
import io.terraseg.jobs.TestSpark;
import io.terraseg.model.ModelSpec;
import io.terraseg.raster.TestRasters;
import io.terraseg.tools.SampleScene;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NAME.preview.png end to end on real Spark: its map is the mask's largest pyramid level whose long
 * side fits in 1024 px, pixel for pixel in the class colors as GDAL reads that level, nodata
 * transparent, and a legend below it with the swatches of the classes the scene has.
 */
class PreviewTest {
  private static final Path SAMPLE_MODEL = Path.of("scripts/sample-model");
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * GDAL's reading of the mask: every level's size, and the pixels of the largest level that fits
   * in 1024 px, written to argv[2].
   */
  private static final String LEVEL_THAT_FITS =
      String.join(
          "\n",
          "import json, sys",
          "from osgeo import gdal",
          "ds = gdal.Open(sys.argv[1])  # kept: its bands die with it",
          "band = ds.GetRasterBand(1)",
          "bands = [band] + [band.GetOverview(i) for i in range(band.GetOverviewCount())]",
          "fits = next(b for b in bands if max(b.XSize, b.YSize) <= 1024)",
          "open(sys.argv[2], 'wb').write(fits.ReadAsArray().astype('uint8').tobytes())",
          "print(json.dumps({'levels': [[b.XSize, b.YSize] for b in bands],",
          "                  'width': fits.XSize, 'height': fits.YSize}))");

  @TempDir Path dir;

  /**
   * 3000 × 1000 has overviews 1500 × 500, 750 × 250 and 375 × 125: 750 × 250 is the largest that
   * fits. The left quarter of the scene is nodata.
   */
  @Test
  void aLargeSceneIsPreviewedFromTheLargestOverviewThatFits() throws Exception {
    JsonNode level = segmentAndCheck("wide", 3000, 1000);
    assertEquals("[[3000,1000],[1500,500],[750,250],[375,125]]", level.get("levels").toString());
    assertEquals(
        List.of(750, 250), List.of(level.get("width").asInt(), level.get("height").asInt()));
  }

  /** A scene whose long side is at most 1024 px is previewed at full resolution. */
  @Test
  void aSmallSceneIsPreviewedAtFullResolution() throws Exception {
    JsonNode level = segmentAndCheck("small", 333, 211);
    assertEquals("[[333,211]]", level.get("levels").toString());
  }

  @Test
  void theLegendGivesEachClassWithPixelsItsShareOfTheClassifiedPixels() {
    List<String> names = List.of("water", "vegetation", "bare soil", "built-up");
    int[] palette = {0x1f78b4, 0x33a02c, 0xb15928, 0xa6a6a6};
    assertEquals(
        List.of(
            new Preview.Entry(0x1f78b4, "water 58.8 %"),
            new Preview.Entry(0xa6a6a6, "built-up 41.2 %")),
        Preview.legend(names, palette, new long[] {588, 0, 0, 412}));
    assertEquals(
        List.of(new Preview.Entry(null, "no classified pixels")),
        Preview.legend(names, palette, new long[4]));
  }

  /**
   * Segments a width × height sample scene with a nodata border and checks its preview against the
   * level GDAL picks; returns what GDAL found.
   */
  private JsonNode segmentAndCheck(String name, int width, int height) throws Exception {
    Path image = dir.resolve("images/" + name + ".tif");
    SampleScene.write(image, dir.resolve("labels/" + name + ".tif"), width, height, 5, true);
    Path out = dir.resolve("out");
    SegmentJob.run(
        TestSpark.session(),
        new SegmentJob.Options(
            SAMPLE_MODEL, List.of(image.toString()), out.toString(), 512, 32, 4, List.of(), null));
    Path preview = out.resolve(name + ".preview.png");
    JsonNode run = JSON.readTree(out.resolve("run.json").toFile());
    assertEquals(preview.toString(), run.at("/inputs/0/preview").asText(), "run.json");

    Path pixels = dir.resolve(name + ".level");
    JsonNode level =
        JSON.readTree(
            TestRasters.python(
                LEVEL_THAT_FITS, out.resolve(name + ".mask.tif").toString(), pixels.toString()));
    int w = level.get("width").asInt();
    int h = level.get("height").asInt();
    byte[] classes = Files.readAllBytes(pixels);
    int[] palette =
        ModelSpec.read(SAMPLE_MODEL).classes().stream()
            .mapToInt(ModelSpec.ClassSpec::rgb)
            .toArray();

    BufferedImage png = ImageIO.read(preview.toFile());
    assertTrue(png.getWidth() >= w && png.getHeight() > h, "map and legend: " + png);
    int nodata = 0;
    Set<Integer> seen = new HashSet<>();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < png.getWidth(); x++) {
        int value = x < w ? classes[y * w + x] & 0xFF : 255;
        int argb = png.getRGB(x, y);
        if (value == 255) {
          assertEquals(0, argb >>> 24, "nodata and the margin are transparent at " + x + "," + y);
          nodata++;
        } else {
          assertEquals(0xFF000000 | palette[value], argb, "class " + value + " at " + x + "," + y);
          seen.add(value);
        }
      }
    }
    assertTrue(nodata > 0 && seen.size() > 1, "the scene has nodata and classes: " + seen);

    // Below the map: the legend, opaque, with the swatch of each class that has pixels, and text.
    for (int x = 0; x < png.getWidth(); x++) {
      assertEquals(0xFFFFFFFF, png.getRGB(x, h), "the legend starts right below the map");
    }
    Map<Integer, Integer> legend = new HashMap<>();
    boolean text = false;
    for (int y = h; y < png.getHeight(); y++) {
      for (int x = 0; x < png.getWidth(); x++) {
        int argb = png.getRGB(x, y);
        assertEquals(0xFF, argb >>> 24, "the legend is opaque");
        legend.merge(argb & 0xFFFFFF, 1, Integer::sum);
        text |= (argb & 0xFF) < 64 && (argb >> 8 & 0xFF) < 64 && (argb >> 16 & 0xFF) < 64;
      }
    }
    JsonNode classPixels = run.at("/inputs/0/class_pixels");
    for (int c = 0; c < palette.length; c++) {
      if (classPixels.get(c).asLong() > 0) {
        // A swatch, not a few anti-aliased pixels of the text that happen to share its color.
        assertTrue(
            legend.getOrDefault(palette[c], 0) >= 64,
            "class " + c + "'s swatch in the legend: " + classPixels);
      }
    }
    assertTrue(text, "the legend has text");
    if (Files.exists(out.resolve(".terraseg"))) {
      try (Stream<Path> left = Files.walk(out.resolve(".terraseg"))) {
        assertEquals(List.of(), left.filter(Files::isRegularFile).toList(), "temporary files");
      }
    }
    return level;
  }
}
