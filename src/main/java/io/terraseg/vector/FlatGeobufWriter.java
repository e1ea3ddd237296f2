package io.terraseg.vector;

import com.google.flatbuffers.FlatBufferBuilder;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.wololo.flatgeobuf.Constants;
import org.wololo.flatgeobuf.generated.Column;
import org.wololo.flatgeobuf.generated.ColumnType;
import org.wololo.flatgeobuf.generated.Feature;
import org.wololo.flatgeobuf.generated.Geometry;
import org.wololo.flatgeobuf.generated.GeometryType;
import org.wololo.flatgeobuf.generated.Header;

/**
 * Writes one scene's polygons as a FlatGeobuf file with the columns class_id, class_name and area.
 *
 * <p>Features stream straight to the file, so memory does not grow with their number. The price is
 * what FlatGeobuf can only know at the end: the header has no feature count (0, "unknown"), no
 * extent and no spatial index (which would need every feature's bounds before the first feature is
 * written, and a Hadoop file cannot be rewritten in place). Readers then count by scanning and
 * filter spatially without the index; GDAL handles both.
 *
 * <p>The library's {@code HeaderMeta.write} writes only a CRS code, so the header is built here
 * with its generated FlatBuffers classes, to carry the WKT and the authority as well; feature
 * properties are encoded here too since the library leaves that to the GeoTools module, which
 * TerraSeg does not use. So is each feature's geometry, straight from the polygonizer's int rings:
 * the library's {@code GeometryConversions} needs a JTS polygon (a copy of every vertex) and grows
 * its builder by doubling, which for a scene-sized background with every speck as a hole means
 * several copies of hundreds of MB. Here the builder is sized for the feature before it is built.
 */
public final class FlatGeobufWriter implements PolygonSink {
  /**
   * GDAL names a layer after the header, "unknown" without one. The file name is no help: it is a
   * temporary one here, and the scene is in the final file's name anyway.
   */
  private static final String LAYER = "polygons";

  private static final String[] COLUMNS = {"class_id", "class_name", "area"};
  private static final int[] TYPES = {ColumnType.Int, ColumnType.String, ColumnType.Double};

  /** What a feature usually fits in; the builder goes back to it after a feature of over 1 MiB. */
  private static final int SMALL = 4096;

  private static final int LARGE = 1 << 20;

  /**
   * Besides coordinates, ends and properties: the feature and geometry tables with their vtables,
   * three vector lengths, alignment padding and the size prefix; well under this.
   */
  private static final int MARGIN = 256;

  private final Path file;
  private final byte[][] classNames;
  private final GeoTransform transform;
  private final OutputStream out;
  private FlatBufferBuilder builder;

  /**
   * The builder's buffer size, tracked here: its {@code dataBuffer()} may only be read once a
   * buffer is finished.
   */
  private int capacity;

  private final ByteBuffer properties;
  private boolean closed;

  /**
   * @param crs the scene's CRS, or null when unknown
   * @param transform places the polygons' pixel corners in the CRS
   */
  public FlatGeobufWriter(
      FileSystem fs, Path file, List<String> classNames, Crs crs, GeoTransform transform)
      throws IOException {
    this.file = file;
    this.transform = transform;
    newBuilder(SMALL);
    this.classNames = new byte[classNames.size()][];
    int longestName = 0;
    for (int c = 0; c < this.classNames.length; c++) {
      this.classNames[c] = classNames.get(c).getBytes(StandardCharsets.UTF_8);
      longestName = Math.max(longestName, this.classNames[c].length);
    }
    // Each property is its column index (uint16) then its value; a string is its length then UTF-8.
    properties =
        ByteBuffer.allocate(2 + 4 + 2 + 4 + longestName + 2 + 8).order(ByteOrder.LITTLE_ENDIAN);
    try {
      out = new BufferedOutputStream(fs.create(file, true), 1 << 16);
    } catch (IOException e) {
      throw new IOException("cannot create " + file + ": " + e.getMessage(), e);
    }
    try {
      out.write(Constants.MAGIC_BYTES);
      writeHeader(crs);
    } catch (IOException | RuntimeException e) {
      try {
        out.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private void writeHeader(Crs crs) throws IOException {
    builder.clear();
    int[] columns = new int[COLUMNS.length];
    for (int i = 0; i < columns.length; i++) {
      int name = builder.createString(COLUMNS[i]);
      Column.startColumn(builder);
      Column.addName(builder, name);
      Column.addType(builder, TYPES[i]);
      // Every polygon has all three; GDAL then shows the fields NOT NULL, as in the Parquet schema.
      Column.addNullable(builder, false);
      columns[i] = Column.endColumn(builder);
    }
    int columnsOffset = Header.createColumnsVector(builder, columns);
    int crsOffset = crs == null ? 0 : crs(crs);
    int name = builder.createString(LAYER);
    Header.startHeader(builder);
    Header.addName(builder, name);
    Header.addGeometryType(builder, GeometryType.Polygon);
    Header.addColumns(builder, columnsOffset);
    // 0 says "no index"; the schema's default (16) would send readers looking for one.
    Header.addIndexNodeSize(builder, 0);
    if (crsOffset != 0) {
      Header.addCrs(builder, crsOffset);
    }
    builder.finishSizePrefixed(Header.endHeader(builder));
    // A long WKT may have grown it: the size is read now the buffer is finished.
    capacity = builder.dataBuffer().capacity();
    writeBuffer();
  }

  private int crs(Crs crs) {
    int authority = crs.epsg() == null ? 0 : builder.createString("EPSG");
    int wkt = crs.wkt() == null ? 0 : builder.createString(crs.wkt());
    if (authority == 0 && wkt == 0) {
      return 0;
    }
    org.wololo.flatgeobuf.generated.Crs.startCrs(builder);
    if (authority != 0) {
      org.wololo.flatgeobuf.generated.Crs.addOrg(builder, authority);
      org.wololo.flatgeobuf.generated.Crs.addCode(builder, crs.epsg());
    }
    if (wkt != 0) {
      org.wololo.flatgeobuf.generated.Crs.addWkt(builder, wkt);
    }
    return org.wololo.flatgeobuf.generated.Crs.endCrs(builder);
  }

  @Override
  public void write(Polygonizer.PixelPolygon polygon) throws IOException {
    int classId = polygon.classId();
    if (classId < 0 || classId >= classNames.length) {
      throw new IllegalArgumentException(
          "class " + classId + " is not one of the " + classNames.length + " classes");
    }
    List<int[]> rings = polygon.rings();
    long points = WorldRings.closedPoints(rings);
    byte[] name = classNames[classId];
    properties.clear();
    properties.putShort((short) 0).putInt(classId);
    properties.putShort((short) 1).putInt(name.length).put(name);
    properties.putShort((short) 2).putDouble(polygon.area());
    properties.flip();
    long needed = 16 * points + 4L * rings.size() + properties.remaining() + MARGIN;
    if (needed > Integer.MAX_VALUE) {
      throw new IOException(
          "cannot write "
              + file
              + ": a polygon of "
              + points
              + " points exceeds FlatBuffers' 2 GB");
    }
    // Sized up front, so that the builder never grows by doubling (a copy each time).
    if (capacity < needed) {
      newBuilder((int) needed);
    }
    try {
      builder.clear();
      int propertiesOffset = Feature.createPropertiesVector(builder, properties);
      int geometry = geometry(rings, points);
      Feature.startFeature(builder);
      Feature.addGeometry(builder, geometry);
      Feature.addProperties(builder, propertiesOffset);
      builder.finishSizePrefixed(Feature.endFeature(builder));
      assert builder.dataBuffer().capacity() == capacity : "the builder grew: " + needed;
      writeBuffer();
    } catch (IOException e) {
      throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
    } finally {
      // One huge polygon's buffer is not kept for the small ones after it.
      if (needed > LARGE) {
        newBuilder(SMALL);
      }
    }
  }

  private void newBuilder(int size) {
    builder = new FlatBufferBuilder(size);
    capacity = size;
  }

  /**
   * The Polygon geometry table, its ends as the library's {@code GeometryConversions} writes them:
   * all rings' closed points in one xy vector, and {@code ends} holding, for each ring, the
   * cumulative count of points (xy pairs, not doubles) up to its end, written even for a single
   * ring (GDAL's own writer leaves it out then; its reader accepts both). The type is set although
   * the header already says Polygon (the library leaves it Unknown there): the spec needs it only
   * in mixed collections, and readers take the header's. FlatBuffers builds back to front, hence
   * the reversed loops.
   */
  private int geometry(List<int[]> rings, long points) {
    Geometry.startXyVector(builder, (int) (2 * points));
    for (int r = rings.size() - 1; r >= 0; r--) {
      int[] ring = rings.get(r);
      for (int i = WorldRings.closedPoints(ring) - 1; i >= 0; i--) {
        builder.addDouble(WorldRings.y(transform, ring, i));
        builder.addDouble(WorldRings.x(transform, ring, i));
      }
    }
    int xy = builder.endVector();
    Geometry.startEndsVector(builder, rings.size());
    long end = points;
    for (int r = rings.size() - 1; r >= 0; r--) {
      builder.addInt((int) end);
      end -= WorldRings.closedPoints(rings.get(r));
    }
    int ends = builder.endVector();
    Geometry.startGeometry(builder);
    Geometry.addEnds(builder, ends);
    Geometry.addXy(builder, xy);
    Geometry.addType(builder, GeometryType.Polygon);
    return Geometry.endGeometry(builder);
  }

  private void writeBuffer() throws IOException {
    ByteBuffer data = builder.dataBuffer();
    out.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      out.close();
    } catch (IOException e) {
      throw new IOException("cannot close " + file + ": " + e.getMessage(), e);
    }
  }
}
