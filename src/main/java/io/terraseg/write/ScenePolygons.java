package io.terraseg.write;

import io.terraseg.plan.Scene;
import io.terraseg.plan.SegmentPlan;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.raster.PixelArea;
import io.terraseg.vector.Crs;
import io.terraseg.vector.FlatGeobufWriter;
import io.terraseg.vector.GeoParquetWriter;
import io.terraseg.vector.PolygonSink;
import io.terraseg.vector.Polygonizer;
import io.terraseg.vector.Projjson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.impl.PackedCoordinateSequenceFactory;
import org.locationtech.jts.simplify.TopologyPreservingSimplifier;

/**
 * A scene's polygons (--vectors), made by the task that writes the scene: the mask's
 * full-resolution tiles are decoded one row of tiles at a time and swept by the {@link
 * Polygonizer}, and each polygon goes, in the scene's CRS, to NAME.polygons.fgb and to the scene's
 * file of the run's GeoParquet dataset. Memory: one decoded row of tiles (tile size × scene width
 * bytes) and the polygonizer's sweep line and open regions; polygons are written as they close.
 */
final class ScenePolygons {
  private static final GeometryFactory GEOMETRY =
      new GeometryFactory(PackedCoordinateSequenceFactory.DOUBLE_FACTORY);

  private ScenePolygons() {}

  /** Writes both files (temporary names, committed by the caller); returns the polygon count. */
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
    double[] world = t == null ? new double[] {0, 1, 0, 0, 0, 1} : t;
    PixelArea area = PixelArea.of(scene.image().geoTags(), t, () -> crs);
    double tolerance =
        plan.products().simplify() * Math.sqrt(Math.abs(world[1] * world[5] - world[2] * world[4]));
    long[] count = {0};
    try (PolygonSink fgb = new FlatGeobufWriter(fs, flatGeobuf, plan.classNames(), described);
        PolygonSink table =
            new GeoParquetWriter(
                conf, parquet, scene.name(), plan.classNames(), described.projjson())) {
      Polygonizer polygonizer =
          new Polygonizer(
              scene.image().width(),
              row -> area == null ? Double.NaN : area.ofRow(row),
              p -> {
                Polygon polygon = toWorld(p, world);
                if (tolerance > 0) {
                  polygon = (Polygon) TopologyPreservingSimplifier.simplify(polygon, tolerance);
                }
                try {
                  fgb.write(polygon, p.classId(), p.area());
                  table.write(polygon, p.classId(), p.area());
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
                count[0]++;
              });
      sweep(tiles, scene, polygonizer);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return count[0];
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

  /** Pixel corners to the scene's CRS through its geotransform. */
  private static Polygon toWorld(Polygonizer.PixelPolygon p, double[] t) {
    List<int[]> rings = p.rings();
    LinearRing[] linear = new LinearRing[rings.size()];
    for (int r = 0; r < linear.length; r++) {
      int[] ring = rings.get(r);
      int n = ring.length / 2;
      Coordinate[] coordinates = new Coordinate[n + 1];
      for (int i = 0; i < n; i++) {
        int x = ring[2 * i];
        int y = ring[2 * i + 1];
        coordinates[i] = new Coordinate(t[0] + x * t[1] + y * t[2], t[3] + x * t[4] + y * t[5]);
      }
      coordinates[n] = coordinates[0];
      linear[r] = GEOMETRY.createLinearRing(coordinates);
    }
    LinearRing[] holes = new LinearRing[linear.length - 1];
    System.arraycopy(linear, 1, holes, 0, holes.length);
    return GEOMETRY.createPolygon(linear[0], holes);
  }

  /** The scene's CRS, read again from its image: the plan carries only its tags. */
  private static CoordinateReferenceSystem crs(Scene scene, Configuration conf) {
    if (scene.image().geoTags() == null || scene.image().geoTags().geoKeyDirectory() == null) {
      return null;
    }
    try (GeoTiffFile image = GeoTiffFile.open(scene.image().uri(), conf)) {
      return image.crs();
    }
  }
}
