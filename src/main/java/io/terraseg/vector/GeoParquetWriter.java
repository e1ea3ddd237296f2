package io.terraseg.vector;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
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
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.io.ByteOrderValues;
import org.locationtech.jts.io.WKBWriter;

/**
 * Writes one scene's polygons as one file of a GeoParquet 1.1 dataset: columns scene, class_id,
 * class_name, area (m²) and geometry (2D WKB), and the {@code geo} key in the footer with the
 * polygons' bounding box. Spark's DataFrame writer cannot add footer metadata, hence parquet-hadoop
 * with a WriteSupport of its own. Memory stays bounded by the row group being filled (16 MiB).
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
  private final ParquetWriter<Row> writer;
  private boolean closed;

  /**
   * @param projjson the scene's CRS as PROJJSON, or null when unknown (GeoParquet then records a
   *     JSON null, since a missing crs would mean OGC:CRS84)
   */
  public GeoParquetWriter(
      Configuration conf, Path file, String scene, List<String> classNames, ObjectNode projjson)
      throws IOException {
    this.file = file;
    this.classCount = classNames.size();
    try {
      writer =
          new Builder(
                  HadoopOutputFile.fromPath(file, conf),
                  new RowSupport(scene, classNames, projjson))
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
  public void write(Polygon polygon, int classId, double area) throws IOException {
    if (classId < 0 || classId >= classCount) {
      throw new IllegalArgumentException(
          "class " + classId + " is not one of the " + classCount + " classes");
    }
    try {
      writer.write(new Row(polygon, classId, area));
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

  private record Row(Polygon polygon, int classId, double area) {}

  private static final class Builder extends ParquetWriter.Builder<Row, Builder> {
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
    protected WriteSupport<Row> getWriteSupport(Configuration conf) {
      return support;
    }
  }

  /** Turns rows into Parquet records and, at the end, the bbox seen into the geo metadata. */
  private static final class RowSupport extends WriteSupport<Row> {
    private final Binary scene;
    private final Binary[] classNames;
    private final ObjectNode projjson;
    // OGC and ISO WKB agree in 2D; little-endian is what GeoParquet writers commonly produce.
    private final WKBWriter wkb = new WKBWriter(2, ByteOrderValues.LITTLE_ENDIAN);
    private final Envelope bbox = new Envelope();
    private RecordConsumer consumer;

    RowSupport(String scene, List<String> classNames, ObjectNode projjson) {
      this.scene = Binary.fromString(scene);
      this.classNames = classNames.stream().map(Binary::fromString).toArray(Binary[]::new);
      this.projjson = projjson;
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
    public void write(Row row) {
      bbox.expandToInclude(row.polygon().getEnvelopeInternal());
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
      consumer.addBinary(Binary.fromConstantByteArray(wkb.write(row.polygon())));
      consumer.endField(GEOMETRY, 4);
      consumer.endMessage();
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
      if (!bbox.isNull()) {
        column
            .putArray("bbox")
            .add(bbox.getMinX())
            .add(bbox.getMinY())
            .add(bbox.getMaxX())
            .add(bbox.getMaxY());
      }
      return new FinalizedWriteContext(Map.of("geo", geo.toString()));
    }
  }
}
