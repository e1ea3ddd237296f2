package io.terraseg.vector;

/**
 * Where a pixel corner lies in the scene's CRS: GDAL's geotransform {originX, pixelWidth,
 * rowRotation, originY, columnRotation, pixelHeight}. Polygons stay in integer pixel corners until
 * they are encoded, so each writer places their vertices itself, without an intermediate copy.
 */
public record GeoTransform(double[] coefficients) {
  /** No georeference: pixel corners as they are, x to the right, y down (as GDAL does). */
  public static final GeoTransform PIXELS = new GeoTransform(new double[] {0, 1, 0, 0, 0, 1});

  /** The scene's geotransform, or {@link #PIXELS} when it has none (null). */
  public static GeoTransform of(double[] gdalOrder) {
    return gdalOrder == null ? PIXELS : new GeoTransform(gdalOrder.clone());
  }

  public double x(int column, int row) {
    return coefficients[0] + column * coefficients[1] + row * coefficients[2];
  }

  public double y(int column, int row) {
    return coefficients[3] + column * coefficients[4] + row * coefficients[5];
  }
}
