package io.terraseg.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.terraseg.jobs.TestSpark;
import io.terraseg.vector.Polygonizer.PixelPolygon;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
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

  /**
   * A UTM-like geotransform: 10 m pixels, north up. Every pixel corner lands on a whole metre, so
   * GDAL's GeoJSON text gives the coordinates back unchanged.
   */
  private static final GeoTransform UTM =
      new GeoTransform(new double[] {500000, 10, 0, 5000000, 0, -10});

  /** Rotated and sheared: each of x and y depends on column and row, all six coefficients used. */
  private static final GeoTransform ROTATED =
      new GeoTransform(new double[] {500000, 8, 6, 5000000, 6, -8});

  /** A polygon as written, and the same in world coordinates as JTS, to compare what is read. */
  private record Written(PixelPolygon pixels, Polygon world) {
    int classId() {
      return pixels.classId();
    }
  }

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

  /** A holed square, an L, a rectangle of another class and one of a third. */
  private static List<Written> scene(GeoTransform transform) {
    return List.of(
        written(
            transform,
            1,
            new int[] {0, 0, 10, 0, 10, 10, 0, 10},
            new int[] {1, 1, 1, 3, 2, 3, 2, 1},
            new int[] {5, 5, 5, 6, 7, 6, 7, 5}),
        written(transform, 2, new int[] {20, 0, 26, 0, 26, 2, 22, 2, 22, 4, 20, 4}),
        written(transform, 2, rectangle(30, 1, 39, 5)),
        written(transform, 0, rectangle(40, 40, 41, 42)));
  }

  private static int[] rectangle(int x0, int y0, int x1, int y1) {
    return new int[] {x0, y0, x1, y0, x1, y1, x0, y1};
  }

  /** The pixel polygon of these rings, its area that of its world polygon. */
  private static Written written(GeoTransform transform, int classId, int[]... rings) {
    Polygon world = world(List.of(rings), transform);
    double[] t = transform.coefficients();
    long pixels = Math.round(world.getArea() / Math.abs(t[1] * t[5] - t[2] * t[4]));
    return new Written(new PixelPolygon(classId, List.of(rings), pixels, world.getArea()), world);
  }

  /**
   * What the writers should encode, made independently of them: each ring closed, each corner
   * through GDAL's geotransform formula.
   */
  private static Polygon world(List<int[]> rings, GeoTransform transform) {
    double[] t = transform.coefficients();
    LinearRing[] linear = new LinearRing[rings.size()];
    for (int r = 0; r < linear.length; r++) {
      int[] ring = rings.get(r);
      Coordinate[] points = new Coordinate[ring.length / 2 + 1];
      for (int i = 0; i < ring.length / 2; i++) {
        int col = ring[2 * i];
        int row = ring[2 * i + 1];
        points[i] = new Coordinate(t[0] + col * t[1] + row * t[2], t[3] + col * t[4] + row * t[5]);
      }
      points[points.length - 1] = points[0];
      linear[r] = GEOMETRY.createLinearRing(points);
    }
    return GEOMETRY.createPolygon(linear[0], Arrays.copyOfRange(linear, 1, linear.length));
  }

  private static void writeAll(PolygonSink sink, List<Written> polygons) throws IOException {
    try (sink) {
      for (Written w : polygons) {
        sink.write(w.pixels());
      }
    }
  }

  private static FileSystem local() throws IOException {
    return FileSystem.getLocal(new Configuration());
  }

  // ---------------------------------------------------------------- FlatGeobuf

  @Test
  void gdalReadsTheFlatGeobufFile() throws Exception {
    gdalReads(UTM);
  }

  @Test
  void gdalReadsAFlatGeobufFileWithARotatedTransform() throws Exception {
    gdalReads(ROTATED);
  }

  private void gdalReads(GeoTransform transform) throws Exception {
    List<Written> scene = scene(transform);
    java.nio.file.Path file = dir.resolve("scene.polygons.fgb");
    writeAll(
        new FlatGeobufWriter(local(), new Path(file.toUri()), CLASSES, utm33n, transform), scene);

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
      assertEquals(expected.pixels().area(), properties.get("area").doubleValue(), 1e-9);
      Polygon actual = polygon(feature.get("geometry"));
      assertEquals(expected.pixels().rings().size() - 1, actual.getNumInteriorRing(), "holes " + i);
      assertEquals(expected.world().getArea(), actual.getArea(), 1e-9);
      assertTrue(expected.world().equalsExact(actual), expected.world() + " vs " + actual);
    }
  }

  @Test
  void aFlatGeobufFileWithoutPolygonsOpensEmpty() throws Exception {
    java.nio.file.Path file = dir.resolve("empty.polygons.fgb");
    writeAll(
        new FlatGeobufWriter(
            local(),
            new Path(file.toUri()),
            CLASSES,
            new Crs(null, null, null),
            GeoTransform.PIXELS),
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
    List<Written> a = scene(UTM);
    Written l = a.get(1);
    List<Written> b =
        List.of(
            new Written(
                new PixelPolygon(0, l.pixels().rings(), l.pixels().pixels(), l.pixels().area()),
                l.world()));
    java.nio.file.Path dataset = dir.resolve("polygons.parquet");
    Configuration conf = new Configuration();
    writeAll(
        new GeoParquetWriter(
            conf,
            new Path(dataset.resolve("a.parquet").toUri()),
            "a",
            CLASSES,
            utm33n.projjson(),
            UTM),
        a);
    writeAll(
        new GeoParquetWriter(
            conf,
            new Path(dataset.resolve("b.parquet").toUri()),
            "b",
            CLASSES,
            utm33n.projjson(),
            UTM),
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
    a.forEach(w -> bbox.expandToInclude(w.world().getEnvelopeInternal()));
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
      assertEquals(w.pixels().area(), row.getDouble(3));
      Polygon actual = (Polygon) wkb.read((byte[]) row.get(4));
      assertEquals(w.pixels().rings().size() - 1, actual.getNumInteriorRing(), "holes " + i);
      assertTrue(w.world().equalsExact(actual), w.world() + " vs " + actual);
    }
  }

  @Test
  void aGeoParquetFileWithoutPolygonsOrCrsSaysSo() throws Exception {
    java.nio.file.Path file = dir.resolve("empty.parquet");
    writeAll(
        new GeoParquetWriter(
            new Configuration(), new Path(file.toUri()), "e", CLASSES, null, GeoTransform.PIXELS),
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

  @Test
  void aGeoParquetFileWithARotatedTransform() throws Exception {
    List<Written> scene = scene(ROTATED);
    java.nio.file.Path file = dir.resolve("rotated.parquet");
    writeAll(
        new GeoParquetWriter(
            new Configuration(), new Path(file.toUri()), "r", CLASSES, null, ROTATED),
        scene);
    List<Polygon> read = geometries(file);
    assertEquals(scene.size(), read.size());
    Envelope bbox = new Envelope();
    for (int i = 0; i < scene.size(); i++) {
      Polygon expected = scene.get(i).world();
      bbox.expandToInclude(expected.getEnvelopeInternal());
      assertTrue(expected.equalsExact(read.get(i)), expected + " vs " + read.get(i));
    }
    assertEquals(bboxList(bbox), geoBbox(footer(file)));
  }

  /** The geometry column as parquet-hadoop reads it, row by row: lighter than Spark. */
  private static List<Polygon> geometries(java.nio.file.Path file) throws Exception {
    List<Polygon> polygons = new ArrayList<>();
    WKBReader wkb = new WKBReader(GEOMETRY);
    try (ParquetReader<Group> reader =
        ParquetReader.builder(new GroupReadSupport(), new Path(file.toUri())).build()) {
      for (Group row = reader.read(); row != null; row = reader.read()) {
        polygons.add((Polygon) wkb.read(row.getBinary("geometry", 0).getBytes()));
      }
    }
    return polygons;
  }

  private static List<Double> bboxList(Envelope bbox) {
    return List.of(bbox.getMinX(), bbox.getMinY(), bbox.getMaxX(), bbox.getMaxY());
  }

  @SuppressWarnings("unchecked")
  private static List<Double> geoBbox(ParquetMetadata footer) throws IOException {
    return JSON.convertValue(
        JSON.readTree(footer.getFileMetaData().getKeyValueMetaData().get("geo"))
            .get("columns")
            .get("geometry")
            .get("bbox"),
        List.class);
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
   * An irregular transform: coordinates with full mantissas, which compress poorly, as real ones
   * do.
   */
  private static final GeoTransform IRREGULAR =
      new GeoTransform(new double[] {400000.3, 0.7, 0.05, 5000000.9, 0.03, -0.7});

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
            new FlatGeobufWriter(local(), new Path(fgb.toUri()), CLASSES, utm33n, IRREGULAR);
        PolygonSink geoParquet =
            new GeoParquetWriter(
                new Configuration(),
                new Path(parquet.toUri()),
                "many",
                CLASSES,
                utm33n.projjson(),
                IRREGULAR)) {
      for (int i = 0; i < count; i++) {
        int[] ring = plus(4 * (i % 1000), 4 * (i / 1000));
        Polygon world = world(List.of(ring), IRREGULAR);
        bbox.expandToInclude(world.getEnvelopeInternal());
        PixelPolygon blob = new PixelPolygon(i % 3, List.of(ring), 5, world.getArea());
        flatGeobuf.write(blob);
        geoParquet.write(blob);
      }
    }

    String summary = gdal("ogrinfo", "-ro", "-al", "-so", fgb.toString());
    assertEquals(count, featureCount(summary), summary);

    ParquetMetadata footer = footer(parquet);
    assertTrue(footer.getBlocks().size() > 1, footer.getBlocks().size() + " row groups");
    assertEquals(count, footer.getBlocks().stream().mapToLong(BlockMetaData::getRowCount).sum());
    assertEquals(bboxList(bbox), geoBbox(footer));
    assertEquals(count, TestSpark.session().read().parquet(parquet.toString()).count());
  }

  /** A plus of 5 pixels in the 3 × 3 from (x, y): 12 corners, a small polygon from a mask. */
  private static int[] plus(int x, int y) {
    return new int[] {
      x + 1, y, x + 2, y, x + 2, y + 1, x + 3, y + 1, x + 3, y + 2, x + 2, y + 2, x + 2, y + 3,
      x + 1, y + 3, x + 1, y + 2, x, y + 2, x, y + 1, x + 1, y + 1
    };
  }

  /**
   * One polygon of 2.4 million vertices: a background with 200,000 plus-shaped specks as holes, the
   * shape that ran executors out of memory. Each writer sizes its buffer for it up front (the
   * FlatGeobuf writer asserts that its builder never grew); GDAL and parquet-hadoop read it back
   * whole.
   */
  @Test
  void oneHugePolygonGoesThroughBothWriters() throws Exception {
    int across = 500;
    int down = 400;
    List<int[]> rings = new ArrayList<>(1 + across * down);
    rings.add(rectangle(0, 0, 4 * across + 1, 4 * down + 1));
    for (int j = 0; j < down; j++) {
      for (int i = 0; i < across; i++) {
        rings.add(plus(4 * i + 1, 4 * j + 1));
      }
    }
    int holes = across * down;
    long pixels = (4L * across + 1) * (4L * down + 1) - 5L * holes;
    PixelPolygon background = new PixelPolygon(1, rings, pixels, pixels * 100.0);
    java.nio.file.Path fgb = dir.resolve("huge.polygons.fgb");
    java.nio.file.Path parquet = dir.resolve("huge.parquet");
    try (PolygonSink flatGeobuf =
            new FlatGeobufWriter(local(), new Path(fgb.toUri()), CLASSES, utm33n, UTM);
        PolygonSink geoParquet =
            new GeoParquetWriter(
                new Configuration(),
                new Path(parquet.toUri()),
                "huge",
                CLASSES,
                utm33n.projjson(),
                UTM)) {
      flatGeobuf.write(background);
      geoParquet.write(background);
    }

    String features = gdal("ogrinfo", "-ro", "-al", "-geom=SUMMARY", fgb.toString());
    assertEquals(1, count(features, "OGRFeature\\(polygons\\):"));
    assertTrue(features.contains("POLYGON : 5 points, " + holes + " inner rings ("));
    assertEquals(holes, count(features, "\\b13 points\\b"));

    ParquetMetadata footer = footer(parquet);
    assertEquals(1, footer.getBlocks().stream().mapToLong(BlockMetaData::getRowCount).sum());
    assertEquals(
        List.of(
            500000.0, 5000000.0 - 10 * (4 * down + 1), 500000.0 + 10 * (4 * across + 1), 5000000.0),
        geoBbox(footer));
    List<Polygon> read = geometries(parquet);
    assertEquals(1, read.size());
    assertEquals(holes, read.get(0).getNumInteriorRing());
    assertTrue(world(rings, UTM).equalsExact(read.get(0)), "the huge polygon read back differs");
  }

  private static int count(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
