package io.terraseg.write;

import io.terraseg.TerraSegException;
import io.terraseg.plan.Scene;
import io.terraseg.plan.SegmentPlan;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.raster.PixelArea;
import io.terraseg.vector.Crs;
import io.terraseg.vector.FlatGeobufWriter;
import io.terraseg.vector.GeoParquetWriter;
import io.terraseg.vector.GeoTransform;
import io.terraseg.vector.PolygonSink;
import io.terraseg.vector.Polygonizer;
import io.terraseg.vector.Projjson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.simplify.TopologyPreservingSimplifier;

/**
 * A scene's polygons (--vectors), made by the task that writes the scene: the mask's
 * full-resolution tiles are decoded one row of tiles at a time and swept by the {@link
 * Polygonizer}, and each polygon goes, in the scene's CRS, to NAME.polygons.fgb and to the scene's
 * file of the run's GeoParquet dataset, encoded straight from its pixel corners. Memory: one
 * decoded row of tiles (tile size × scene width bytes), the polygonizer's sweep line and the
 * corners of the regions still open, and the polygon being written, which both formats store whole
 * (about 50 bytes per corner while it is encoded); polygons are written as they close.
 */
final class ScenePolygons {
  private static final GeometryFactory GEOMETRY = new GeometryFactory();

  private ScenePolygons() {}

  /**
   * Writes both files (temporary names, committed by the caller); returns the polygon count.
   *
   * @throws TerraSegException when one polygon is too large for this JVM's memory: a region with
   *     millions of corners (typically a background riddled with single-pixel specks, each one a
   *     hole) must be encoded whole, as both formats store a polygon as one value
   */
  static long write(
      FileSystem fs,
      Configuration conf,
      Overviews.Tiles tiles,
      Scene scene,
      SegmentPlan plan,
      Path flatGeobuf,
      Path parquet)
      throws IOException {
    CoordinateReferenceSystem crs = crs(scene, conf);
    Integer epsg = crs == null ? null : scene.image().geoTags().epsg();
    Crs described =
        new Crs(
            epsg, crs == null ? null : crs.toWKT(), crs == null ? null : Projjson.of(crs, epsg));
    double[] t = scene.image().geoTransform();
    GeoTransform world = GeoTransform.of(t);
    PixelArea area = PixelArea.of(scene.image().geoTags(), t, () -> crs);
    double simplify = plan.products().simplify();
    long[] count = {0};
    long[] largest = {0, 0};
    try (PolygonSink fgb =
            new FlatGeobufWriter(fs, flatGeobuf, plan.classNames(), described, world);
        PolygonSink table =
            new GeoParquetWriter(
                conf, parquet, scene.name(), plan.classNames(), described.projjson(), world)) {
      Polygonizer polygonizer =
          new Polygonizer(
              scene.image().width(),
              row -> area == null ? Double.NaN : area.ofRow(row),
              p -> {
                Polygonizer.PixelPolygon polygon = simplify > 0 ? simplified(p, simplify) : p;
                long vertices = 0;
                for (int[] ring : polygon.rings()) {
                  vertices += ring.length / 2;
                }
                if (vertices > largest[0]) {
                  largest[0] = vertices;
                  largest[1] = polygon.rings().size();
                }
                try {
                  fgb.write(polygon);
                  table.write(polygon);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
                count[0]++;
              });
      sweep(tiles, scene, polygonizer);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (OutOfMemoryError e) {
      // Everything the sweep and the encoders held is garbage once this frame is left, so the
      // JVM can go on and the scene fails with a message instead of taking its executor down.
      throw new TerraSegException(
          scene.image().uri()
              + ": its polygons do not fit in this JVM's memory (the largest so far has "
              + largest[0]
              + " corners in "
              + largest[1]
              + " rings); give executors more memory (TERRASEG_DRIVER_MEMORY when local) or"
              + " use --simplify",
          e);
    }
    return count[0];
  }

  /**
   * The polygon simplified within {@code pixels} (JTS's topology-preserving Douglas–Peucker, in
   * pixel corners: it only drops vertices, so the rest stay integer corners).
   */
  private static Polygonizer.PixelPolygon simplified(Polygonizer.PixelPolygon p, double pixels) {
    List<int[]> rings = p.rings();
    LinearRing[] linear = new LinearRing[rings.size()];
    for (int r = 0; r < linear.length; r++) {
      int[] ring = rings.get(r);
      int n = ring.length / 2;
      Coordinate[] coordinates = new Coordinate[n + 1];
      for (int i = 0; i < n; i++) {
        coordinates[i] = new Coordinate(ring[2 * i], ring[2 * i + 1]);
      }
      coordinates[n] = coordinates[0];
      linear[r] = GEOMETRY.createLinearRing(coordinates);
    }
    LinearRing[] holes = new LinearRing[linear.length - 1];
    System.arraycopy(linear, 1, holes, 0, holes.length);
    Polygon simple =
        (Polygon)
            TopologyPreservingSimplifier.simplify(GEOMETRY.createPolygon(linear[0], holes), pixels);
    List<int[]> out = new ArrayList<>(simple.getNumInteriorRing() + 1);
    out.add(corners(simple.getExteriorRing()));
    for (int h = 0; h < simple.getNumInteriorRing(); h++) {
      out.add(corners(simple.getInteriorRingN(h)));
    }
    return new Polygonizer.PixelPolygon(p.classId(), out, p.pixels(), p.area());
  }

  /** A closed ring's vertices as pixel corners, without repeating the first. */
  private static int[] corners(LinearRing ring) {
    Coordinate[] coordinates = ring.getCoordinates();
    int[] corners = new int[2 * (coordinates.length - 1)];
    for (int i = 0; i < coordinates.length - 1; i++) {
      corners[2 * i] = (int) Math.round(coordinates[i].x);
      corners[2 * i + 1] = (int) Math.round(coordinates[i].y);
    }
    return corners;
  }

  /** Feeds the mask's pixel rows to the polygonizer, decoding one row of tiles at a time. */
  private static void sweep(Overviews.Tiles tiles, Scene scene, Polygonizer polygonizer)
      throws IOException {
    int width = scene.image().width();
    int height = scene.image().height();
    int tileSize = scene.grid().stride();
    int columns = (width + tileSize - 1) / tileSize;
    byte[] tile = new byte[tileSize * tileSize];
    byte[] rows = new byte[tileSize * width];
    try (TileCodec codec = new TileCodec()) {
      for (int top = 0, tileRow = 0; top < height; top += tileSize, tileRow++) {
        for (int c = 0; c < columns; c++) {
          codec.inflate(tiles.read(tileRow * columns + c), tile);
          int x0 = c * tileSize;
          int w = Math.min(tileSize, width - x0);
          for (int y = 0; y < tileSize; y++) {
            System.arraycopy(tile, y * tileSize, rows, y * width + x0, w);
          }
        }
        int h = Math.min(tileSize, height - top);
        for (int y = 0; y < h; y++) {
          polygonizer.addRow(rows, y * width);
        }
      }
    }
    polygonizer.finish();
  }

  /** The scene's CRS, read again from its image: the plan carries only its tags. */
  private static CoordinateReferenceSystem crs(Scene scene, Configuration conf) {
    if (scene.image().geoTags() == null || scene.image().geoTags().geoKeyDirectory() == null) {
      return null;
    }
    return GeoTiffFile.readCrs(scene.image().uri(), conf);
  }
}
