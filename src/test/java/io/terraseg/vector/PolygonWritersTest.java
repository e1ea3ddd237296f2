package io.terraseg.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.terraseg.jobs.TestSpark;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.geotools.referencing.CRS;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.io.WKBReader;

/**
 * Both polygon writers against real readers: the FlatGeobuf file as GDAL reads it, the GeoParquet
 * file's footer as parquet-hadoop reads it and its rows as Spark reads them.
 */
class PolygonWritersTest {
  private static final List<String> CLASSES = List.of("water", "forest", "field");
  private static final GeometryFactory GEOMETRY = new GeometryFactory();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A scene's polygons and their classes, in writing order. */
  private record Written(Polygon polygon, int classId) {}

  private static Crs utm33n;

  @TempDir java.nio.file.Path dir;

  @BeforeAll
  static void crs() throws Exception {
    // Made by `gdalsrsinfo -o PROJJSON EPSG:32633` (GDAL 3.6.2); TerraSeg's own PROJJSON comes
    // from the scene, so any valid PROJJSON of the CRS does here.
    ObjectNode projjson;
    try (InputStream in = PolygonWritersTest.class.getResourceAsStream("epsg-32633.projjson")) {
      projjson = (ObjectNode) JSON.readTree(in);
    }
    utm33n = new Crs(32633, CRS.decode("EPSG:32633", true).toWKT(), projjson);
  }

  /** Exactly representable coordinates, so that GDAL's GeoJSON text gives them back unchanged. */
  private static List<Written> scene() {
    Polygon holed =
        GEOMETRY.createPolygon(
            ring(500000, 5000000, 500100, 5000100),
            new LinearRing[] {
              ring(500010, 5000010, 500020, 5000030), ring(500050.5, 5000050, 500070, 5000060.25)
            });
    Polygon triangle =
        GEOMETRY.createPolygon(
            new Coordinate[] {
              new Coordinate(500200, 5000000),
              new Coordinate(500260, 5000000),
              new Coordinate(500230, 5000040.5),
              new Coordinate(500200, 5000000)
            });
    Polygon field = GEOMETRY.createPolygon(ring(499900.25, 4999950, 499990, 4999990.75));
    Polygon pond = GEOMETRY.createPolygon(ring(500300, 5000300, 500310, 5000320));
    return List.of(
        new Written(holed, 1),
        new Written(triangle, 2),
        new Written(field, 2),
        new Written(pond, 0));
  }

  /** A counter-clockwise rectangle. */
  private static LinearRing ring(double x0, double y0, double x1, double y1) {
    return GEOMETRY.createLinearRing(
        new Coordinate[] {
          new Coordinate(x0, y0),
          new Coordinate(x1, y0),
          new Coordinate(x1, y1),
          new Coordinate(x0, y1),
          new Coordinate(x0, y0)
        });
  }

  private static void writeAll(PolygonSink sink, List<Written> polygons) throws IOException {
    try (sink) {
      for (Written w : polygons) {
        sink.write(w.polygon(), w.classId(), w.polygon().getArea());
      }
    }
  }

  private static FileSystem local() throws IOException {
    return FileSystem.getLocal(new Configuration());
  }

  // ---------------------------------------------------------------- FlatGeobuf

  @Test
  void gdalReadsTheFlatGeobufFile() throws Exception {
    List<Written> scene = scene();
    java.nio.file.Path file = dir.resolve("scene.polygons.fgb");
    writeAll(new FlatGeobufWriter(local(), new Path(file.toUri()), CLASSES, utm33n), scene);

    String summary = gdal("ogrinfo", "-ro", "-al", "-so", file.toString());
    // The header says 0 ("unknown"): GDAL counts by reading the features.
    assertEquals(scene.size(), featureCount(summary), summary);
    assertTrue(summary.contains("Layer name: polygons"), summary);
    assertTrue(summary.contains("Geometry: Polygon"), summary);
    assertTrue(summary.contains("class_id: Integer (0.0) NOT NULL"), summary);
    assertTrue(summary.contains("class_name: String (0.0) NOT NULL"), summary);
    assertTrue(summary.contains("area: Real (0.0) NOT NULL"), summary);
    assertTrue(summary.contains("ID[\"EPSG\",32633]]"), summary);

    JsonNode features =
        JSON.readTree(gdal("ogr2ogr", "-f", "GeoJSON", "/vsistdout/", file.toString()))
            .get("features");
    assertEquals(scene.size(), features.size());
    for (int i = 0; i < scene.size(); i++) {
      Written expected = scene.get(i);
      JsonNode feature = features.get(i);
      JsonNode properties = feature.get("properties");
      assertEquals(expected.classId(), properties.get("class_id").intValue());
      assertEquals(CLASSES.get(expected.classId()), properties.get("class_name").textValue());
      assertEquals(expected.polygon().getArea(), properties.get("area").doubleValue(), 1e-9);
      Polygon actual = polygon(feature.get("geometry"));
      assertEquals(
          expected.polygon().getNumInteriorRing(), actual.getNumInteriorRing(), "holes " + i);
      assertEquals(expected.polygon().getArea(), actual.getArea(), 1e-9);
      assertTrue(expected.polygon().equalsExact(actual), expected.polygon() + " vs " + actual);
    }
  }

  @Test
  void aFlatGeobufFileWithoutPolygonsOpensEmpty() throws Exception {
    java.nio.file.Path file = dir.resolve("empty.polygons.fgb");
    writeAll(
        new FlatGeobufWriter(local(), new Path(file.toUri()), CLASSES, new Crs(null, null, null)),
        List.of());
    String summary = gdal("ogrinfo", "-ro", "-al", "-so", file.toString());
    assertEquals(0, featureCount(summary), summary);
    assertTrue(summary.contains("Geometry: Polygon"), summary);
  }

  private static int featureCount(String ogrinfo) {
    Matcher m = Pattern.compile("Feature Count: (\\d+)").matcher(ogrinfo);
    assertTrue(m.find(), ogrinfo);
    return Integer.parseInt(m.group(1));
  }

  /** A GeoJSON Polygon, rings in order (shell first). */
  private static Polygon polygon(JsonNode geometry) {
    assertEquals("Polygon", geometry.get("type").textValue());
    List<LinearRing> rings = new ArrayList<>();
    for (JsonNode ring : geometry.get("coordinates")) {
      Coordinate[] points = new Coordinate[ring.size()];
      for (int i = 0; i < points.length; i++) {
        points[i] =
            new Coordinate(ring.get(i).get(0).doubleValue(), ring.get(i).get(1).doubleValue());
      }
      rings.add(GEOMETRY.createLinearRing(points));
    }
    return GEOMETRY.createPolygon(
        rings.get(0), rings.subList(1, rings.size()).toArray(LinearRing[]::new));
  }

  private static String gdal(String... command) throws Exception {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(
          "GDAL's " + command[0] + " is needed to check the FlatGeobuf files: run scripts/setup.sh",
          e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed: " + output);
    }
    return output;
  }

  // ---------------------------------------------------------------- GeoParquet

  @Test
  void sparkAndTheFooterReadTheGeoParquetFiles() throws Exception {
    List<Written> a = scene();
    List<Written> b = List.of(new Written(scene().get(1).polygon(), 0));
    java.nio.file.Path dataset = dir.resolve("polygons.parquet");
    Configuration conf = new Configuration();
    writeAll(
        new GeoParquetWriter(
            conf, new Path(dataset.resolve("a.parquet").toUri()), "a", CLASSES, utm33n.projjson()),
        a);
    writeAll(
        new GeoParquetWriter(
            conf, new Path(dataset.resolve("b.parquet").toUri()), "b", CLASSES, utm33n.projjson()),
        b);

    ParquetMetadata footer = footer(dataset.resolve("a.parquet"));
    JsonNode geo = JSON.readTree(footer.getFileMetaData().getKeyValueMetaData().get("geo"));
    assertEquals("1.1.0", geo.get("version").textValue());
    assertEquals("geometry", geo.get("primary_column").textValue());
    JsonNode column = geo.get("columns").get("geometry");
    assertEquals("WKB", column.get("encoding").textValue());
    assertEquals(List.of("Polygon"), JSON.convertValue(column.get("geometry_types"), List.class));
    assertEquals(utm33n.projjson(), column.get("crs"));
    Envelope bbox = new Envelope();
    a.forEach(w -> bbox.expandToInclude(w.polygon().getEnvelopeInternal()));
    assertEquals(
        List.of(bbox.getMinX(), bbox.getMinY(), bbox.getMaxX(), bbox.getMaxY()),
        JSON.convertValue(column.get("bbox"), List.class));
    for (BlockMetaData block : footer.getBlocks()) {
      for (ColumnChunkMetaData chunk : block.getColumns()) {
        assertEquals(CompressionCodecName.SNAPPY, chunk.getCodec(), chunk.getPath().toString());
      }
    }

    Dataset<Row> rows = TestSpark.session().read().parquet(dataset.toString());
    StructType schema = rows.schema();
    assertEquals(
        List.of("scene", "class_id", "class_name", "area", "geometry"),
        List.of(schema.fieldNames()));
    assertEquals(DataTypes.StringType, schema.apply("scene").dataType());
    assertEquals(DataTypes.IntegerType, schema.apply("class_id").dataType());
    assertEquals(DataTypes.StringType, schema.apply("class_name").dataType());
    assertEquals(DataTypes.DoubleType, schema.apply("area").dataType());
    assertEquals(DataTypes.BinaryType, schema.apply("geometry").dataType());

    List<Row> read = new ArrayList<>(rows.collectAsList());
    // Spark reads the files in any order; within a file, rows keep the writing order.
    read.sort(Comparator.comparing(r -> r.getString(0)));
    List<Written> expected = new ArrayList<>(a);
    expected.addAll(b);
    assertEquals(expected.size(), read.size());
    WKBReader wkb = new WKBReader(GEOMETRY);
    for (int i = 0; i < expected.size(); i++) {
      Row row = read.get(i);
      Written w = expected.get(i);
      assertEquals(i < a.size() ? "a" : "b", row.getString(0));
      assertEquals(w.classId(), row.getInt(1));
      assertEquals(CLASSES.get(w.classId()), row.getString(2));
      assertEquals(w.polygon().getArea(), row.getDouble(3));
      Polygon actual = (Polygon) wkb.read((byte[]) row.get(4));
      assertTrue(w.polygon().equalsExact(actual), w.polygon() + " vs " + actual);
    }
  }

  @Test
  void aGeoParquetFileWithoutPolygonsOrCrsSaysSo() throws Exception {
    java.nio.file.Path file = dir.resolve("empty.parquet");
    writeAll(
        new GeoParquetWriter(new Configuration(), new Path(file.toUri()), "e", CLASSES, null),
        List.of());
    ParquetMetadata footer = footer(file);
    assertEquals(0, footer.getBlocks().stream().mapToLong(BlockMetaData::getRowCount).sum());
    JsonNode column =
        JSON.readTree(footer.getFileMetaData().getKeyValueMetaData().get("geo"))
            .get("columns")
            .get("geometry");
    // Present and null: an absent crs would mean OGC:CRS84.
    assertTrue(column.has("crs"));
    assertTrue(column.get("crs").isNull());
    assertFalse(column.has("bbox"));
  }

  private static ParquetMetadata footer(java.nio.file.Path file) throws IOException {
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(new Path(file.toUri()), new Configuration()))) {
      return reader.getFooter();
    }
  }

  // ---------------------------------------------------------------- Many polygons

  /**
   * 200,000 small polygons through both writers in the test JVM's heap, and both files read back
   * whole. Their coordinates compress poorly, so the Parquet file passes one 16 MiB row group: the
   * writer flushes as it goes rather than holding the scene. (The FlatGeobuf writer holds nothing
   * past the current feature and a 64 KiB buffer, by construction.)
   */
  @Test
  void manyPolygonsStreamThrough() throws Exception {
    int count = 200_000;
    java.nio.file.Path fgb = dir.resolve("many.polygons.fgb");
    java.nio.file.Path parquet = dir.resolve("many.parquet");
    Envelope bbox = new Envelope();
    try (PolygonSink flatGeobuf =
            new FlatGeobufWriter(local(), new Path(fgb.toUri()), CLASSES, utm33n);
        PolygonSink geoParquet =
            new GeoParquetWriter(
                new Configuration(),
                new Path(parquet.toUri()),
                "many",
                CLASSES,
                utm33n.projjson())) {
      for (int i = 0; i < count; i++) {
        Polygon blob = blob(400000 + (i % 1000) * 10, 5000000 + (i / 1000) * 10);
        bbox.expandToInclude(blob.getEnvelopeInternal());
        flatGeobuf.write(blob, i % 3, blob.getArea());
        geoParquet.write(blob, i % 3, blob.getArea());
      }
    }

    String summary = gdal("ogrinfo", "-ro", "-al", "-so", fgb.toString());
    assertEquals(count, featureCount(summary), summary);

    ParquetMetadata footer = footer(parquet);
    assertTrue(footer.getBlocks().size() > 1, footer.getBlocks().size() + " row groups");
    assertEquals(count, footer.getBlocks().stream().mapToLong(BlockMetaData::getRowCount).sum());
    assertEquals(
        List.of(bbox.getMinX(), bbox.getMinY(), bbox.getMaxX(), bbox.getMaxY()),
        JSON.convertValue(
            JSON.readTree(footer.getFileMetaData().getKeyValueMetaData().get("geo"))
                .get("columns")
                .get("geometry")
                .get("bbox"),
            List.class));
    assertEquals(count, TestSpark.session().read().parquet(parquet.toString()).count());
  }

  /** A 12-gon of radius 4.5 around (x, y): a small polygon from a mask, give or take. */
  private static Polygon blob(double x, double y) {
    Coordinate[] ring = new Coordinate[13];
    for (int k = 0; k < 12; k++) {
      double angle = 2 * Math.PI * k / 12 + x / 7;
      ring[k] = new Coordinate(x + 4.5 * Math.cos(angle), y + 4.5 * Math.sin(angle));
    }
    ring[12] = ring[0];
    return GEOMETRY.createPolygon(ring);
  }
}
