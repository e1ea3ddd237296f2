package io.terraseg.raster;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * What a GeoTIFF header says about a scene: where its pixels are and how they are stored. Read on
 * the driver from the header alone; travels to tasks so they can decode windows without
 * re-planning.
 *
 * @param crsWkt WKT of the CRS, null when the file has none
 * @param epsg EPSG code of the CRS when it has one
 * @param geoTransform GDAL order, null without georeference
 * @param nodata the GDAL_NODATA value, null when unset
 * @param blockWidth internal tile width, or the image width for strips
 * @param blockHeight internal tile height, or rows per strip
 */
public record RasterInfo(
    String uri,
    long fileSize,
    int width,
    int height,
    int bands,
    SampleType sampleType,
    String crsWkt,
    Integer epsg,
    double[] geoTransform,
    Double nodata,
    boolean tiled,
    int blockWidth,
    int blockHeight,
    String compression,
    GeoTiffTags geoTags)
    implements Serializable {

  /**
   * "512 x 512, EPSG:32633, origin (500000, 4100000), pixel (10, -10)": how grids are named in
   * errors.
   */
  public String gridDescription() {
    StringBuilder s = new StringBuilder().append(width).append(" x ").append(height);
    s.append(", ").append(epsg != null ? "EPSG:" + epsg : crsWkt != null ? "custom CRS" : "no CRS");
    if (geoTransform != null) {
      s.append(
          String.format(
              Locale.ROOT,
              ", origin (%s, %s), pixel (%s, %s)",
              num(geoTransform[0]),
              num(geoTransform[3]),
              num(geoTransform[1]),
              num(geoTransform[5])));
    }
    return s.toString();
  }

  /** Same size, CRS and geotransform (to a millionth of a pixel). */
  public boolean sameGridAs(RasterInfo other) {
    if (width != other.width || height != other.height) {
      return false;
    }
    if (!Objects.equals(epsg, other.epsg)
        || (epsg == null && !Objects.equals(crsWkt, other.crsWkt))) {
      return false;
    }
    if ((geoTransform == null) != (other.geoTransform == null)) {
      return false;
    }
    if (geoTransform == null) {
      return true;
    }
    double tolerance = 1e-6 * Math.max(Math.abs(geoTransform[1]), Math.abs(geoTransform[5]));
    for (int i = 0; i < 6; i++) {
      if (Math.abs(geoTransform[i] - other.geoTransform[i]) > tolerance) {
        return false;
      }
    }
    return true;
  }

  private static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
