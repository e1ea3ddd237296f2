package io.terraseg.vector;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.terraseg.vector.Polygonizer.PixelPolygon;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Writes one scene's polygons as one file of a GeoParquet 1.1 dataset: columns scene, class_id,
 * class_name, area (m²) and geometry (2D WKB), and the {@code geo} key in the footer with the
 * polygons' bounding box. Spark's DataFrame writer cannot add footer metadata, hence parquet-hadoop
 * with a WriteSupport of its own. Memory stays bounded by the row group being filled (16 MiB).
 *
 * <p>The WKB is encoded here, straight from the polygonizer's int rings into one array of exactly
 * its size: JTS's WKBWriter would need a JTS polygon (a copy of every vertex) and writes through a
 * growing stream copied once more at the end, several copies of hundreds of MB for a scene-sized
 * background with every speck as a hole.
 */
public final class GeoParquetWriter implements PolygonSink {
  static final String GEOMETRY = "geometry";

  /** Small enough that an executor holds one per writing task without noticing. */
  private static final long ROW_GROUP_BYTES = 16L << 20;

  private static final MessageType SCHEMA =
      Types.buildMessage()
          .required(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.stringType())
          .named("scene")
          .required(PrimitiveTypeName.INT32)
          .named("class_id")
          .required(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.stringType())
          .named("class_name")
          .required(PrimitiveTypeName.DOUBLE)
          .named("area")
          .required(PrimitiveTypeName.BINARY)
          .named(GEOMETRY)
          .named("polygon");

  private final Path file;
  private final int classCount;
  private final ParquetWriter<PixelPolygon> writer;
  private boolean closed;

  /**
   * @param projjson the scene's CRS as PROJJSON, or null when unknown (GeoParquet then records a
   *     JSON null, since a missing crs would mean OGC:CRS84)
   * @param transform places the polygons' pixel corners in the CRS
   */
  public GeoParquetWriter(
      Configuration conf,
      Path file,
      String scene,
      List<String> classNames,
      ObjectNode projjson,
      GeoTransform transform)
      throws IOException {
    this.file = file;
    this.classCount = classNames.size();
    try {
      writer =
          new Builder(
                  HadoopOutputFile.fromPath(file, conf),
                  new RowSupport(scene, classNames, projjson, transform))
              .withConf(conf)
              // A task that failed before may have left the file behind; its retry starts over.
              .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
              // snappy-java (which Spark ships) carries its native code inside its jar, so Snappy
              // needs no Hadoop native libraries; it is also Spark's own default for Parquet.
              .withCompressionCodec(CompressionCodecName.SNAPPY)
              .withRowGroupSize(ROW_GROUP_BYTES)
              // Every geometry differs: a dictionary would only be built to be dropped, and min/max
              // of WKB bytes would copy whole geometries into page headers and the footer for
              // nothing (the bbox in the geo metadata is the useful statistic).
              .withDictionaryEncoding(GEOMETRY, false)
              .withStatisticsEnabled(GEOMETRY, false)
              .build();
    } catch (IOException e) {
      throw new IOException("cannot create " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void write(PixelPolygon polygon) throws IOException {
    int classId = polygon.classId();
    if (classId < 0 || classId >= classCount) {
      throw new IllegalArgumentException(
          "class " + classId + " is not one of the " + classCount + " classes");
    }
    try {
      writer.write(polygon);
    } catch (IOException e) {
      throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      writer.close();
    } catch (IOException e) {
      throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static final class Builder extends ParquetWriter.Builder<PixelPolygon, Builder> {
    private final RowSupport support;

    Builder(OutputFile file, RowSupport support) {
      super(file);
      this.support = support;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<PixelPolygon> getWriteSupport(Configuration conf) {
      return support;
    }
  }

  /** Turns rows into Parquet records and, at the end, the bbox seen into the geo metadata. */
  private static final class RowSupport extends WriteSupport<PixelPolygon> {
    private final Binary scene;
    private final Binary[] classNames;
    private final ObjectNode projjson;
    private final GeoTransform transform;
    private double minX = Double.POSITIVE_INFINITY;
    private double minY = Double.POSITIVE_INFINITY;
    private double maxX = Double.NEGATIVE_INFINITY;
    private double maxY = Double.NEGATIVE_INFINITY;
    private RecordConsumer consumer;

    RowSupport(String scene, List<String> classNames, ObjectNode projjson, GeoTransform transform) {
      this.scene = Binary.fromString(scene);
      this.classNames = classNames.stream().map(Binary::fromString).toArray(Binary[]::new);
      this.projjson = projjson;
      this.transform = transform;
    }

    @Override
    public WriteContext init(Configuration conf) {
      return new WriteContext(SCHEMA, Map.of());
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      consumer = recordConsumer;
    }

    @Override
    public void write(PixelPolygon row) {
      byte[] wkb = wkb(row.rings());
      consumer.startMessage();
      consumer.startField("scene", 0);
      consumer.addBinary(scene);
      consumer.endField("scene", 0);
      consumer.startField("class_id", 1);
      consumer.addInteger(row.classId());
      consumer.endField("class_id", 1);
      consumer.startField("class_name", 2);
      consumer.addBinary(classNames[row.classId()]);
      consumer.endField("class_name", 2);
      consumer.startField("area", 3);
      consumer.addDouble(row.area());
      consumer.endField("area", 3);
      consumer.startField(GEOMETRY, 4);
      consumer.addBinary(Binary.fromConstantByteArray(wkb));
      consumer.endField(GEOMETRY, 4);
      consumer.endMessage();
    }

    /**
     * 2D WKB Polygon, little-endian (what GeoParquet writers commonly produce; OGC and ISO WKB
     * agree in 2D): byte order, type 3, ring count, then per ring its point count and x, y of each
     * point, the first repeated at the end. Widens the bbox by each point as it goes.
     */
    private byte[] wkb(List<int[]> rings) {
      long size = 1 + 4 + 4 + 4L * rings.size() + 16 * WorldRings.closedPoints(rings);
      if (size > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            "a polygon of " + size + " bytes of WKB exceeds what one Parquet value can hold");
      }
      ByteBuffer wkb = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
      wkb.put((byte) 1).putInt(3).putInt(rings.size());
      for (int[] ring : rings) {
        int points = WorldRings.closedPoints(ring);
        wkb.putInt(points);
        for (int i = 0; i < points; i++) {
          double x = WorldRings.x(transform, ring, i);
          double y = WorldRings.y(transform, ring, i);
          wkb.putDouble(x).putDouble(y);
          minX = Math.min(minX, x);
          minY = Math.min(minY, y);
          maxX = Math.max(maxX, x);
          maxY = Math.max(maxY, y);
        }
      }
      assert !wkb.hasRemaining();
      return wkb.array();
    }

    @Override
    public FinalizedWriteContext finalizeWrite() {
      ObjectMapper json = new ObjectMapper();
      ObjectNode geo = json.createObjectNode();
      geo.put("version", "1.1.0");
      geo.put("primary_column", GEOMETRY);
      ObjectNode column = geo.putObject("columns").putObject(GEOMETRY);
      column.put("encoding", "WKB");
      column.putArray("geometry_types").add("Polygon");
      column.set("crs", projjson == null ? json.nullNode() : projjson);
      // bbox is optional: an empty file has none to give.
      if (minX <= maxX) {
        column.putArray("bbox").add(minX).add(minY).add(maxX).add(maxY);
      }
      return new FinalizedWriteContext(Map.of("geo", geo.toString()));
    }
  }
}
