package io.terraseg.raster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.terraseg.TerraSegException;
import java.awt.Rectangle;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class GeoTiffFileTest {
  private static final Configuration CONF = new Configuration();

  @TempDir Path dir;

  static Stream<TestRasters.Spec> layouts() {
    TestRasters.PixelFunction bytes = (x, y, b) -> (x * 3 + y * 5 + b * 50) & 0xFF;
    TestRasters.PixelFunction ushorts = (x, y, b) -> (x * 131 + y * 257 + b * 1000) & 0xFFFF;
    TestRasters.PixelFunction shorts =
        (x, y, b) -> ((x * 131 + y * 257 + b * 1000) & 0xFFFF) - 32768;
    TestRasters.PixelFunction floats = (x, y, b) -> (float) (x * 0.25 - y * 1.5 + b * 1000.125);
    return Stream.of(
        TestRasters.raster(197, 131, 3, SampleType.UINT8, bytes).tiles(64, 64).nodata(0.0),
        TestRasters.raster(150, 101, 1, SampleType.UINT8, bytes).strips(16).compression("NONE"),
        TestRasters.raster(197, 131, 1, SampleType.UINT16, ushorts)
            .strips(7)
            .compression("LZW")
            .georeference(4326, 10.0, 0.001, 0, 45.0, 0, -0.001),
        TestRasters.raster(120, 90, 2, SampleType.INT16, shorts)
            .tiles(32, 48)
            .compression("NONE")
            .nodata(-9999.0)
            .georeference(3857, -20000.0, 30, 0, 6_000_000.0, 0, -30),
        TestRasters.raster(100, 77, 1, SampleType.FLOAT32, floats).strips(10).nodata(-1.5),
        TestRasters.raster(70, 70, 4, SampleType.FLOAT32, floats).tiles(16, 16).compression("LZW"));
  }

  @ParameterizedTest
  @MethodSource("layouts")
  void infoMatchesWhatWasWrittenAndGdal(TestRasters.Spec spec) throws IOException {
    Path file = spec.write(dir.resolve("scene.tif"));
    RasterInfo info = GeoTiffFile.readInfo(file.toString(), CONF);
    JsonNode gdal = TestRasters.gdalinfo(file);

    assertEquals(spec.width(), info.width());
    assertEquals(spec.height(), info.height());
    assertEquals(
        List.of(info.width(), info.height()),
        List.of(gdal.at("/size/0").asInt(), gdal.at("/size/1").asInt()));
    assertEquals(spec.bands(), info.bands());
    assertEquals(info.bands(), gdal.get("bands").size());
    assertEquals(spec.type(), info.sampleType());
    assertEquals(gdal.at("/bands/0/type").asText(), info.sampleType().gdalName());
    assertEquals(spec.epsg(), info.epsg());
    assertEquals(gdal.at("/stac/proj:epsg").asInt(), info.epsg());
    assertTrue(info.crsWkt() != null && !info.crsWkt().isBlank());
    assertArrayEquals(spec.geoTransform(), info.geoTransform(), 1e-9);
    assertArrayEquals(doubles(gdal.get("geoTransform")), info.geoTransform(), 1e-9);
    assertEquals(spec.nodata(), info.nodata());
    JsonNode gdalNodata = gdal.at("/bands/0/noDataValue");
    assertEquals(spec.nodata(), gdalNodata.isMissingNode() ? null : gdalNodata.asDouble());
    assertEquals(spec.tiled(), info.tiled());
    assertEquals(spec.blockWidth(), info.blockWidth());
    assertEquals(spec.blockHeight(), info.blockHeight());
    assertEquals(
        List.of(info.blockWidth(), info.blockHeight()),
        List.of(gdal.at("/bands/0/block/0").asInt(), gdal.at("/bands/0/block/1").asInt()));
    assertEquals(spec.compression(), info.compression());
    JsonNode gdalCompression = gdal.at("/metadata/IMAGE_STRUCTURE/COMPRESSION");
    assertEquals(
        info.compression(), gdalCompression.isMissingNode() ? "NONE" : gdalCompression.asText());
    assertEquals(Files.size(file), info.fileSize());
  }

  @ParameterizedTest
  @MethodSource("layouts")
  void windowsHoldThePixelsWritten(TestRasters.Spec spec) {
    Path file = spec.write(dir.resolve("scene.tif"));
    int w = spec.width();
    int h = spec.height();
    List<Rectangle> windows =
        new ArrayList<>(
            List.of(
                new Rectangle(0, 0, w, h),
                new Rectangle(w - 1, h - 1, 1, 1),
                new Rectangle(w - 33, 0, 33, h),
                new Rectangle(0, h - 20, w, 20),
                new Rectangle(w - 50, h - 40, 50, 40)));
    Random random = new Random(42);
    for (int i = 0; i < 20; i++) {
      int x = random.nextInt(w);
      int y = random.nextInt(h);
      windows.add(new Rectangle(x, y, 1 + random.nextInt(w - x), 1 + random.nextInt(h - y)));
    }
    try (GeoTiffFile tiff = GeoTiffFile.open(file.toString(), CONF);
        // Three blocks at a time: reads evict and decode into the evicted blocks' buffers.
        GeoTiffFile turnover =
            GeoTiffFile.open(file.toString(), CONF).withBlockCache(3 * blockBytes(spec))) {
      for (Rectangle window : windows) {
        Raster raster = tiff.readWindow(window);
        assertEquals(
            new Rectangle(0, 0, window.width, window.height),
            raster.getBounds(),
            "bounds of " + window);
        assertEquals(spec.bands(), raster.getNumBands());
        float[][] bands = new float[spec.bands()][window.width * window.height];
        float[][] turnedOver = new float[spec.bands()][window.width * window.height];
        for (int b = 0; b < spec.bands(); b++) {
          tiff.readBand(window, b, bands[b]);
          turnover.readBand(window, b, turnedOver[b]);
        }
        for (int y = 0; y < window.height; y++) {
          for (int x = 0; x < window.width; x++) {
            for (int b = 0; b < spec.bands(); b++) {
              double expected = spec.pixels().value(window.x + x, window.y + y, b);
              double actual = raster.getSampleDouble(x, y, b);
              float band = bands[b][y * window.width + x];
              float other = turnedOver[b][y * window.width + x];
              if (expected != actual || (float) expected != band || band != other) {
                throw new AssertionError(
                    "window "
                        + window
                        + ", pixel ("
                        + (window.x + x)
                        + ", "
                        + (window.y + y)
                        + ") band "
                        + b
                        + ": expected "
                        + expected
                        + " but read "
                        + actual
                        + " (window), "
                        + band
                        + " (band), "
                        + other
                        + " (band, small cache)");
              }
            }
          }
        }
      }
    }
  }

  private static long blockBytes(TestRasters.Spec spec) {
    int bytes =
        switch (spec.type()) {
          case UINT8, INT8 -> 1;
          case UINT16, INT16 -> 2;
          case UINT32, INT32, FLOAT32 -> 4;
          case FLOAT64 -> 8;
        };
    return (long) spec.blockWidth() * spec.blockHeight() * spec.bands() * bytes;
  }

  @Test
  void windowOutsideTheImageIsRejected() {
    Path file =
        TestRasters.raster(40, 30, 1, SampleType.UINT8, (x, y, b) -> 1)
            .write(dir.resolve("small.tif"));
    try (GeoTiffFile tiff = GeoTiffFile.open(file.toString(), CONF)) {
      assertThrows(
          IllegalArgumentException.class, () -> tiff.readWindow(new Rectangle(30, 0, 11, 30)));
      assertThrows(
          IllegalArgumentException.class, () -> tiff.readWindow(new Rectangle(0, -1, 10, 10)));
    }
  }

  @Test
  void withoutNodataOrGeoreferenceFromGdal() {
    Path plain = dir.resolve("plain.tif");
    TestRasters.run(
        "gdal_create",
        "-of",
        "GTiff",
        "-outsize",
        "33",
        "21",
        "-bands",
        "1",
        "-burn",
        "7",
        plain.toString());
    RasterInfo info = GeoTiffFile.readInfo(plain.toString(), CONF);
    assertNull(info.nodata());
    assertNull(info.epsg());
    assertNull(info.crsWkt());
    assertNull(info.geoTransform());
    assertEquals("33 x 21, no CRS", info.gridDescription());
  }

  @Test
  void notATiff() throws IOException {
    Path text =
        Files.writeString(
            dir.resolve("notes.tif"), "just some text, long enough to read a header\n");
    assertProblem(text, "not a TIFF");
    Path png = dir.resolve("scene.png");
    TestRasters.run(
        "gdal_create", "-of", "PNG", "-outsize", "16", "16", "-bands", "3", png.toString());
    assertProblem(png, "not a TIFF");
  }

  @Test
  void emptyFile() throws IOException {
    assertProblem(Files.createFile(dir.resolve("empty.tif")), "empty file");
  }

  @Test
  void truncatedFileIsReportedAtOpen() throws IOException {
    Random random = new Random(7);
    Path file =
        TestRasters.raster(512, 512, 3, SampleType.UINT8, (x, y, b) -> random.nextInt(256))
            .tiles(128, 128)
            .write(dir.resolve("cut.tif"));
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
    assertProblem(file, "truncated");
  }

  @ParameterizedTest
  @ValueSource(strings = {"LERC", "LZMA", "WEBP"})
  void unsupportedCompression(String codec) {
    Path source =
        TestRasters.raster(64, 64, 3, SampleType.UINT8, (x, y, b) -> (x + y) & 0xFF)
            .write(dir.resolve("source.tif"));
    Path file = dir.resolve(codec.toLowerCase() + ".tif");
    TestRasters.run(
        "gdal_translate", "-q", "-co", "COMPRESS=" + codec, source.toString(), file.toString());
    assertProblem(file, "unsupported compression " + codec);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "-ot CInt16",
        "-ot CFloat32",
        "-ot Int64",
        "-co NBITS=1",
        "-co NBITS=12 -ot UInt16"
      })
  void unsupportedDataType(String options) {
    Path source =
        TestRasters.raster(64, 64, 1, SampleType.UINT8, (x, y, b) -> (x + y) & 1)
            .write(dir.resolve("source.tif"));
    Path file = dir.resolve("odd.tif");
    List<String> command = new ArrayList<>(List.of("gdal_translate", "-q"));
    command.addAll(List.of(options.split(" ")));
    command.addAll(List.of(source.toString(), file.toString()));
    TestRasters.run(command.toArray(String[]::new));
    assertProblem(file, "unsupported data type");
  }

  @Test
  void missingFile() {
    assertProblem(dir.resolve("nowhere.tif"), "no such file");
  }

  @Test
  void directory() {
    assertProblem(dir, "is a directory");
  }

  /** The one-line message names the file and the problem, from open() and from readInfo() alike. */
  private static void assertProblem(Path file, String problem) {
    for (var attempt :
        List.<Runnable>of(
            () -> GeoTiffFile.open(file.toString(), CONF).close(),
            () -> GeoTiffFile.readInfo(file.toString(), CONF))) {
      TerraSegException e = assertThrows(TerraSegException.class, attempt::run);
      String message = e.getMessage();
      assertTrue(message.startsWith(file.toString() + ": "), message);
      assertTrue(message.contains(problem), "expected \"" + problem + "\" in: " + message);
      assertFalse(message.contains("\n"), message);
    }
  }

  private static double[] doubles(JsonNode array) {
    double[] values = new double[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).asDouble();
    }
    return values;
  }
}
