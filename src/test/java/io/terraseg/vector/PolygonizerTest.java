package io.terraseg.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.terraseg.raster.MaskFormat;
import io.terraseg.raster.TestRasters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;

/**
 * The polygonizer against {@code gdal_polygonize} (4-connected, the mask band excluding nodata) on
 * the same masks: the same polygons, one for one, class, area and shape.
 */
class PolygonizerTest {
  private static final GeometryFactory GEOMETRY = new GeometryFactory();
  @TempDir Path dir;

  /** Noise: single pixels, diagonal touches everywhere, nodata among them. */
  @Test
  void noisyMasksGiveGdalsPolygons() throws Exception {
    for (int seed = 1; seed <= 3; seed++) {
      Random random = new Random(seed);
      int w = 41 + seed;
      int h = 37;
      byte[] mask = new byte[w * h];
      for (int i = 0; i < mask.length; i++) {
        int v = random.nextInt(10);
        mask[i] = (byte) (v < 2 ? MaskFormat.NODATA : v % 3);
      }
      assertSameAsGdal(mask, w, h, "noise" + seed);
    }
  }

  /**
   * Blobs: regions with holes, holes with islands, pockets open to the outside only through a
   * corner, and a background region around all of them.
   */
  @Test
  void blobsWithHolesAndIslandsGiveGdalsPolygons() throws Exception {
    for (int seed = 1; seed <= 3; seed++) {
      Random random = new Random(100 + seed);
      int w = 90;
      int h = 70;
      byte[] mask = new byte[w * h];
      for (int blob = 0; blob < 25; blob++) {
        int cx = random.nextInt(w);
        int cy = random.nextInt(h);
        int r = 2 + random.nextInt(12);
        int c = blob % 5 == 4 ? MaskFormat.NODATA : 1 + random.nextInt(3);
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            int dx = x - cx;
            int dy = y - cy;
            if (dx * dx + dy * dy <= r * r && (dx + dy + random.nextInt(3)) % 7 != 0) {
              mask[y * w + x] = (byte) c;
            }
          }
        }
      }
      assertSameAsGdal(mask, w, h, "blobs" + seed);
    }
  }

  /** Every pixel its own region, each touching four others at corners. */
  @Test
  void checkerboardIsOnePolygonPerPixel() throws Exception {
    int w = 16;
    int h = 9;
    byte[] mask = new byte[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        mask[y * w + x] = (byte) ((x + y) % 2);
      }
    }
    List<Polygonizer.PixelPolygon> polygons = polygonize(mask, w, h);
    assertEquals(w * h, polygons.size());
    assertSameAsGdal(mask, w, h, "checker");
  }

  /** A ring of class 1 whose inside leaks out through one corner: one polygon with a hole. */
  @Test
  void pocketOpenThroughACornerIsAHoleTouchingTheShell() throws Exception {
    int w = 5;
    int h = 5;
    String rows = "....." + ".111." + ".1.1." + ".11.." + ".....";
    byte[] mask = new byte[w * h];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = (byte) (rows.charAt(i) == '1' ? 1 : 0);
    }
    List<Polygonizer.PixelPolygon> ones =
        polygonize(mask, w, h).stream().filter(p -> p.classId() == 1).toList();
    assertEquals(1, ones.size());
    Polygon polygon = toJts(ones.get(0));
    assertTrue(polygon.isValid(), polygon.toText());
    assertEquals(1, polygon.getNumInteriorRing(), polygon.toText());
    assertEquals(7, polygon.getArea());
    assertSameAsGdal(mask, w, h, "pocket");
  }

  private void assertSameAsGdal(byte[] mask, int w, int h, String name) throws Exception {
    List<Polygonizer.PixelPolygon> ours = polygonize(mask, w, h);
    List<Polygon> gdal = gdalPolygonize(mask, w, h, name);
    assertEquals(components(mask, w, h), ours.size(), name + ": 4-connected regions");
    assertEquals(gdal.size(), ours.size(), name + ": polygon count");
    List<Polygon> mine = new ArrayList<>();
    for (Polygonizer.PixelPolygon p : ours) {
      Polygon polygon = toJts(p);
      assertTrue(polygon.isValid(), name + ": invalid " + polygon.toText());
      assertEquals(p.pixels(), polygon.getArea(), 0, name + ": pixels vs area");
      polygon.setUserData(p.classId());
      mine.add(polygon);
    }
    Comparator<Polygon> order =
        Comparator.<Polygon>comparingInt(p -> (Integer) p.getUserData())
            .thenComparingDouble(Polygon::getArea)
            .thenComparingDouble(p -> p.getEnvelopeInternal().getMinX())
            .thenComparingDouble(p -> p.getEnvelopeInternal().getMinY())
            .thenComparingDouble(p -> p.getEnvelopeInternal().getMaxX())
            .thenComparingDouble(p -> p.getEnvelopeInternal().getMaxY());
    mine.sort(order);
    gdal.sort(order);
    for (int i = 0; i < mine.size(); i++) {
      Polygon a = mine.get(i);
      Polygon b = gdal.get(i);
      assertEquals(b.getUserData(), a.getUserData(), name + ": class of " + b.toText());
      Geometry difference = a.symDifference(b.isValid() ? b : b.buffer(0));
      assertEquals(0, difference.getArea(), 0, name + ": " + a.toText() + " vs " + b.toText());
    }
  }

  /** The number of 4-connected regions of equal class, by flood fill. */
  private static int components(byte[] mask, int w, int h) {
    boolean[] seen = new boolean[mask.length];
    int count = 0;
    int[] stack = new int[mask.length];
    for (int start = 0; start < mask.length; start++) {
      if (seen[start] || (mask[start] & 0xff) == MaskFormat.NODATA) {
        continue;
      }
      count++;
      int top = 0;
      stack[top++] = start;
      seen[start] = true;
      while (top > 0) {
        int i = stack[--top];
        int x = i % w;
        int y = i / w;
        int[] neighbours = {
          x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, y > 0 ? i - w : -1, y < h - 1 ? i + w : -1
        };
        for (int n : neighbours) {
          if (n >= 0 && !seen[n] && mask[n] == mask[i]) {
            seen[n] = true;
            stack[top++] = n;
          }
        }
      }
    }
    return count;
  }

  private static List<Polygonizer.PixelPolygon> polygonize(byte[] mask, int w, int h) {
    List<Polygonizer.PixelPolygon> polygons = new ArrayList<>();
    Polygonizer polygonizer = new Polygonizer(w, row -> 1, polygons::add);
    for (int y = 0; y < h; y++) {
      polygonizer.addRow(mask, y * w);
    }
    polygonizer.finish();
    return polygons;
  }

  private static Polygon toJts(Polygonizer.PixelPolygon p) {
    LinearRing[] rings = new LinearRing[p.rings().size()];
    for (int r = 0; r < rings.length; r++) {
      int[] ring = p.rings().get(r);
      Coordinate[] coordinates = new Coordinate[ring.length / 2 + 1];
      for (int i = 0; i < ring.length; i += 2) {
        coordinates[i / 2] = new Coordinate(ring[i], ring[i + 1]);
      }
      coordinates[coordinates.length - 1] = coordinates[0];
      rings[r] = GEOMETRY.createLinearRing(coordinates);
    }
    return GEOMETRY.createPolygon(
        rings[0], java.util.Arrays.copyOfRange(rings, 1, rings.length, LinearRing[].class));
  }

  /** GDAL's polygons of the mask in pixel coordinates (no georeference: x right, y down). */
  private List<Polygon> gdalPolygonize(byte[] mask, int w, int h, String name) throws Exception {
    Path pgm = dir.resolve(name + ".pgm");
    byte[] header = ("P5\n" + w + " " + h + "\n255\n").getBytes(StandardCharsets.US_ASCII);
    byte[] file = new byte[header.length + mask.length];
    System.arraycopy(header, 0, file, 0, header.length);
    System.arraycopy(mask, 0, file, header.length, mask.length);
    Files.write(pgm, file);
    Path tif = dir.resolve(name + ".tif");
    Path json = dir.resolve(name + ".geojson");
    TestRasters.run("gdal_translate", "-q", "-a_nodata", "255", pgm.toString(), tif.toString());
    TestRasters.run(
        "gdal_polygonize.py", "-q", tif.toString(), "-f", "GeoJSON", json.toString(), "p", "DN");
    return TestRasters.polygons(json, "DN");
  }
}
