package io.terraseg.raster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.geotools.referencing.CRS;
import org.junit.jupiter.api.Test;

class PixelAreaTest {
  private static PixelArea grid(String epsg, double[] transform) throws Exception {
    return PixelArea.of(epsg == null ? null : CRS.decode(epsg, true), transform);
  }

  @Test
  void projectedPixelsHaveTheGeotransformsAreaInSquareMetres() throws Exception {
    assertEquals(
        400.0, grid("EPSG:32633", new double[] {500_000, 20, 0, 4_100_000, 0, -20}).ofRow(7));
    // New York Long Island in US survey feet: a 10 ft pixel is 100 × (1200/3937)² m².
    double foot = 1200.0 / 3937;
    assertEquals(
        100 * foot * foot,
        grid("EPSG:2263", new double[] {1_000_000, 10, 0, 200_000, 0, -10}).ofRow(0),
        1e-12);
  }

  /**
   * GDAL writes ProjLinearUnitsGeoKey = metre for a metric projection: the area then needs no CRS
   * decoding (which would start GeoTools' EPSG database); without that key the CRS decides.
   */
  @Test
  void geoKeysInMetresGiveTheAreaWithoutDecodingTheCrs() throws Exception {
    double[] transform = {500_000, 20, 0, 4_100_000, 0, -20};
    // GTModelType = projected, GTRasterType = area, ProjectedCSType = 32633, ProjLinearUnits =
    // metre.
    char[] gdal = {1, 1, 0, 4, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 32633, 3076, 0, 1, 9001};
    GeoTiffTags metric = new GeoTiffTags(null, null, null, gdal, null, null);
    assertEquals(
        400.0,
        PixelArea.of(
                metric,
                transform,
                () -> {
                  throw new AssertionError("decoded the CRS");
                })
            .ofRow(3));
    // The same CRS without the unit key (as GeoTools writes it) is decoded; feet stay feet.
    char[] noUnits = {1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 2263};
    double foot = 1200.0 / 3937;
    assertEquals(
        100 * foot * foot,
        PixelArea.of(
                new GeoTiffTags(null, null, null, noUnits, null, null),
                new double[] {1_000_000, 10, 0, 200_000, 0, -10},
                () -> decode("EPSG:2263"))
            .ofRow(0),
        1e-12);
  }

  private static org.geotools.api.referencing.crs.CoordinateReferenceSystem decode(String code) {
    try {
      return CRS.decode(code, true);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * One-degree pixels over the whole WGS 84 ellipsoid add up to its surface, 4π times the square of
   * its authalic radius (6 371 007.181 m), and the two hemispheres mirror each other.
   */
  @Test
  void geographicRowsAreEllipsoidalBandsThatAddUpToTheEarthsSurface() throws Exception {
    PixelArea area = grid("EPSG:4326", new double[] {-180, 1, 0, 90, 0, -1});
    double total = 0;
    for (int row = 0; row < 180; row++) {
      total += 360 * area.ofRow(row);
      assertEquals(area.ofRow(row), area.ofRow(179 - row), 1e-6 * area.ofRow(row));
    }
    double authalic = 6_371_007.181;
    assertEquals(4 * Math.PI * authalic * authalic, total, 1e-9 * total);
    // A 1° pixel at the equator is ~12 309 km², next to the pole ~108 km².
    assertEquals(12_309e6, area.ofRow(89), 1e6);
    assertEquals(108e6, area.ofRow(0), 1e6);
  }

  @Test
  void unknownWithoutCrsOrGeotransform() throws Exception {
    assertNull(grid(null, new double[] {0, 1, 0, 0, 0, -1}));
    assertNull(grid("EPSG:32633", null));
  }
}
