package io.terraseg.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.terraseg.plan.Products;
import io.terraseg.raster.SampleType;
import io.terraseg.raster.TestRasters;
import io.terraseg.report.RunSummary;
import io.terraseg.tools.SampleScene;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.io.WKBReader;

/**
 * segment --vectors: a scene predicted by several tasks gives, in its FlatGeobuf and its GeoParquet
 * file, exactly the polygons {@code gdal_polygonize} makes of the whole stitched mask, with the
 * class areas of areas.csv.
 */
class VectorsTest {
  private static final Path SAMPLE_MODEL = Path.of("scripts/sample-model");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;

  @Test
  void polygonsOfAMultiTaskSceneAreGdalPolygonizeOfItsMask() throws Exception {
    Path image = dir.resolve("scene.tif");
    SampleScene.write(image, dir.resolve("scene-labels.tif"), 700, 560, 5, true);
    Path out = dir.resolve("out");
    SegmentJob.Options options =
        new SegmentJob.Options(
                SAMPLE_MODEL,
                List.of(image.toString()),
                out.toString(),
                128,
                16,
                4,
                List.of(),
                null)
            .withProducts(Products.MASK.withVectors(true, 0));
    RunSummary summary = SegmentJob.run(TestSpark.session(), options);
    assertEquals(1, summary.done());
    assertEquals(48, summary.tiles(), "48 tiles, cut into several ranges");

    Path mask = out.resolve("scene.mask.tif");
    Path fgb = out.resolve("scene.polygons.fgb");
    Path parquet = out.resolve("polygons.parquet/scene.parquet");
    List<Polygon> ours = TestRasters.polygons(fgb, "class_id");
    List<Polygon> gdal = gdalPolygonize(mask);
    assertTrue(gdal.size() > 50, "a scene with many regions: " + gdal.size());
    assertSamePolygons(gdal, ours);

    // The table: the same polygons, their areas those of areas.csv, the CRS the scene's.
    List<Row> rows =
        TestSpark.session()
            .read()
            .parquet(out.resolve("polygons.parquet").toString())
            .collectAsList();
    assertEquals(ours.size(), rows.size());
    JsonNode run = JSON.readTree(out.resolve("run.json").toFile());
    JsonNode classAreas = run.at("/inputs/0/class_areas_m2");
    List<String> classNames = SampleScene.CLASSES.stream().map(c -> c.name()).toList();
    double[] areas = new double[classAreas.size()];
    WKBReader wkb = new WKBReader();
    for (Row row : rows) {
      assertEquals("scene", row.getString(row.fieldIndex("scene")));
      int c = row.getInt(row.fieldIndex("class_id"));
      assertEquals(classNames.get(c), row.getString(row.fieldIndex("class_name")));
      double area = row.getDouble(row.fieldIndex("area"));
      Geometry geometry = wkb.read((byte[]) row.get(row.fieldIndex("geometry")));
      assertEquals(geometry.getArea(), area, 1e-6 * area, "area = the polygon's, 10 m pixels");
      areas[c] += area;
    }
    for (int c = 0; c < areas.length; c++) {
      assertEquals(classAreas.get(c).asDouble(), areas[c], 1e-6, "class " + c + " as areas.csv");
    }
    JsonNode geo;
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(parquet.toUri()), new Configuration()))) {
      geo = JSON.readTree(reader.getFooter().getFileMetaData().getKeyValueMetaData().get("geo"));
    }
    assertEquals(
        SampleScene.EPSG, geo.at("/columns/geometry/crs/id/code").asInt(), geo.toPrettyString());
    assertTrue(
        TestRasters.run("ogrinfo", "-ro", "-so", "-al", fgb.toString())
            .contains("ID[\"EPSG\"," + SampleScene.EPSG + "]"));
    assertEquals(fgb.toString(), run.at("/inputs/0/polygons").asText());
    assertEquals(parquet.toString(), run.at("/inputs/0/polygon_table").asText());
    assertEquals(ours.size(), run.at("/inputs/0/polygon_count").asLong());

    // Resuming: complete means with both files; a run without --vectors removes them.
    byte[] maskBytes = Files.readAllBytes(mask);
    assertEquals(1, SegmentJob.run(TestSpark.session(), options).skipped());
    Files.delete(fgb);
    assertEquals(1, SegmentJob.run(TestSpark.session(), options).done(), "a lost .fgb");
    assertEquals(ours.size(), TestRasters.polygons(fgb, "class_id").size());
    assertArrayEquals(maskBytes, Files.readAllBytes(mask), "the mask does not change");
    SegmentJob.Options plain = options.withProducts(Products.MASK);
    assertEquals(1, SegmentJob.run(TestSpark.session(), plain).done());
    assertFalse(Files.exists(fgb), "a run without --vectors leaves no stale polygons");
    assertFalse(Files.exists(parquet));

    // Simplified: the same regions with fewer corners; their areas stay the pixels'.
    SegmentJob.run(TestSpark.session(), options.withProducts(Products.MASK.withVectors(true, 1)));
    List<Polygon> simplified = TestRasters.polygons(fgb, "class_id");
    assertEquals(ours.size(), simplified.size());
    assertTrue(vertices(simplified) < 0.8 * vertices(ours), vertices(simplified) + " corners");
  }

  /**
   * A scene in longitude/latitude (EPSG:4326, 0.001° pixels at 60°N): polygons in degrees, as
   * gdal_polygonize gives them, and their areas the geodesic m² of areas.csv.
   */
  @Test
  void polygonsOfAGeographicSceneAreInDegreesWithGeodesicAreas() throws Exception {
    Path image = dir.resolve("geographic/scene.tif");
    Files.createDirectories(image.getParent());
    TestRasters.raster(
            230,
            170,
            3,
            SampleType.UINT8,
            (x, y, b) -> {
              double v = Math.sin(x / 17.0) + Math.cos(y / 11.0 + x / 29.0);
              return v > 0.8 ? 40 + 20 * b : v > -0.5 ? 120 + 40 * b : 200 - 60 * b;
            })
        .tiles(64, 64)
        .georeference(4326, 10.0, 0.001, 0, 60.0, 0, -0.001)
        .write(image);
    Path out = dir.resolve("geographic/out");
    SegmentJob.run(
        TestSpark.session(),
        new SegmentJob.Options(
                SAMPLE_MODEL, List.of(image.toString()), out.toString(), 64, 8, 4, List.of(), null)
            .withProducts(Products.MASK.withVectors(true, 0)));
    Path fgb = out.resolve("scene.polygons.fgb");
    List<Polygon> ours = TestRasters.polygons(fgb, "class_id");
    assertTrue(
        ours.stream().map(Polygon::getUserData).distinct().count() >= 2 && ours.size() >= 10,
        ours.size() + " polygons");
    assertSamePolygons(gdalPolygonize(out.resolve("scene.mask.tif")), ours);
    for (Polygon p : ours) {
      assertTrue(
          p.getEnvelopeInternal().getMinX() >= 10 && p.getEnvelopeInternal().getMaxX() <= 10.23);
      assertTrue(
          p.getEnvelopeInternal().getMinY() >= 59.83 && p.getEnvelopeInternal().getMaxY() <= 60);
    }
    JsonNode classAreas =
        JSON.readTree(out.resolve("run.json").toFile()).at("/inputs/0/class_areas_m2");
    double[] areas = new double[classAreas.size()];
    for (Row row :
        TestSpark.session()
            .read()
            .parquet(out.resolve("polygons.parquet").toString())
            .collectAsList()) {
      areas[row.getInt(row.fieldIndex("class_id"))] += row.getDouble(row.fieldIndex("area"));
    }
    for (int c = 0; c < areas.length; c++) {
      assertEquals(classAreas.get(c).asDouble(), areas[c], 1e-6 * areas[c] + 1e-6, "class " + c);
    }
    // 0.001° × 0.001° at 60°N is about 111 m × 56 m: the m² are geodesic, not square degrees.
    double pixels = 0;
    for (Polygon p : ours) {
      pixels += p.getArea() / 1e-6;
    }
    double total = java.util.Arrays.stream(areas).sum();
    assertEquals(6200, total / pixels, 150, "m² per pixel");
    assertTrue(
        TestRasters.run("ogrinfo", "-ro", "-so", "-al", fgb.toString())
            .contains("ID[\"EPSG\",4326]"));
  }

  /** One for one: class, area and shape (symmetric difference of nothing but rounding). */
  private static void assertSamePolygons(List<Polygon> expected, List<Polygon> actual) {
    assertEquals(expected.size(), actual.size(), "polygon count");
    Comparator<Polygon> order =
        Comparator.<Polygon>comparingInt(p -> (Integer) p.getUserData())
            .thenComparingLong(p -> Math.round(p.getArea()))
            .thenComparingLong(p -> Math.round(p.getEnvelopeInternal().getMinX()))
            .thenComparingLong(p -> Math.round(p.getEnvelopeInternal().getMinY()));
    List<Polygon> a = new ArrayList<>(expected);
    List<Polygon> b = new ArrayList<>(actual);
    a.sort(order);
    b.sort(order);
    for (int i = 0; i < a.size(); i++) {
      Polygon p = a.get(i);
      Polygon q = b.get(i);
      assertEquals(p.getUserData(), q.getUserData(), "class of " + p);
      assertTrue(q.isValid(), "valid: " + q);
      double difference = p.symDifference(q).getArea();
      assertTrue(difference < 1e-6 * p.getArea(), p + " vs " + q + ": " + difference);
    }
  }

  private static List<Polygon> gdalPolygonize(Path mask) throws Exception {
    Path json = dir.resolve("gdal.geojson");
    Files.deleteIfExists(json);
    TestRasters.run("gdal_polygonize.py", "-q", mask.toString(), "-f", "GeoJSON", json.toString());
    return TestRasters.polygons(json, "DN");
  }

  private static long vertices(List<Polygon> polygons) {
    return polygons.stream().mapToLong(Polygon::getNumPoints).sum();
  }
}
