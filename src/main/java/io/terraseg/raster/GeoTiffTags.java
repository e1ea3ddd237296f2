package io.terraseg.raster;

import java.io.Serializable;

/**
 * The georeferencing TIFF tags of a scene, kept verbatim. Masks carry exactly these tags, so their
 * CRS and geotransform are the scene's bit for bit rather than a re-encoding through a CRS library.
 * Null = absent.
 */
public record GeoTiffTags(
    double[] modelPixelScale,
    double[] modelTiepoint,
    double[] modelTransformation,
    char[] geoKeyDirectory,
    double[] geoDoubleParams,
    String geoAsciiParams)
    implements Serializable {

  private static final int MODEL_TYPE_KEY = 1024;
  private static final int MODEL_TYPE_PROJECTED = 1;
  private static final int RASTER_TYPE_KEY = 1025;
  private static final int LINEAR_UNITS_KEY = 3076;
  private static final int EPSG_METRE = 9001;
  private static final int RASTER_PIXEL_IS_POINT = 2;
  private static final int MODEL_TYPE_GEOGRAPHIC = 2;
  private static final int GEOGRAPHIC_TYPE_KEY = 2048;
  private static final int PROJECTED_CS_TYPE_KEY = 3072;
  private static final int USER_DEFINED = 32767;

  /**
   * GDAL's geotransform {originX, pixelWidth, rowRotation, originY, columnRotation, pixelHeight}
   * for the corner of the top-left pixel, or null without an affine georeference. PixelIsPoint
   * rasters are shifted half a pixel, as GDAL does.
   */
  public double[] geoTransform() {
    double[] gt;
    if (modelTransformation != null && modelTransformation.length >= 8) {
      double[] m = modelTransformation;
      gt = new double[] {m[3], m[0], m[1], m[7], m[4], m[5]};
    } else if (modelPixelScale != null && modelTiepoint != null && modelTiepoint.length >= 6) {
      double sx = modelPixelScale[0];
      double sy = modelPixelScale[1];
      double[] t = modelTiepoint;
      gt = new double[] {t[3] - t[0] * sx, sx, 0, t[4] + t[1] * sy, 0, -sy};
    } else {
      return null;
    }
    if (rasterType() == RASTER_PIXEL_IS_POINT) {
      gt[0] -= 0.5 * gt[1] + 0.5 * gt[2];
      gt[3] -= 0.5 * gt[4] + 0.5 * gt[5];
    }
    return gt;
  }

  /**
   * Whether the GeoKeys say the model space is a projected CRS in metres (ProjLinearUnitsGeoKey =
   * EPSG's metre, as GDAL writes it for metric projections): then a pixel's area follows from the
   * geotransform alone, without decoding the CRS.
   */
  public boolean projectedInMetres() {
    Integer model = key(MODEL_TYPE_KEY);
    Integer units = key(LINEAR_UNITS_KEY);
    return model != null && model == MODEL_TYPE_PROJECTED && units != null && units == EPSG_METRE;
  }

  /**
   * The EPSG code of the CRS as the GeoKeys name it (ProjectedCSTypeGeoKey or
   * GeographicTypeGeoKey), or null for a user-defined CRS: exact and free, where looking a decoded
   * CRS up in the EPSG database costs its start-up and can fail on custom projections.
   */
  public Integer epsg() {
    Integer model = key(MODEL_TYPE_KEY);
    Integer code =
        model == null
            ? null
            : model == MODEL_TYPE_PROJECTED
                ? key(PROJECTED_CS_TYPE_KEY)
                : model == MODEL_TYPE_GEOGRAPHIC ? key(GEOGRAPHIC_TYPE_KEY) : null;
    return code == null || code == 0 || code >= USER_DEFINED ? null : code;
  }

  private int rasterType() {
    Integer type = key(RASTER_TYPE_KEY);
    return type == null ? 1 : type;
  }

  /** A GeoKey's SHORT value stored in the directory itself, or null. */
  private Integer key(int id) {
    if (geoKeyDirectory == null || geoKeyDirectory.length < 4) {
      return null;
    }
    int keys = geoKeyDirectory[3];
    for (int k = 0; k < keys && 4 * k + 7 < geoKeyDirectory.length; k++) {
      int base = 4 + 4 * k;
      if (geoKeyDirectory[base] == id && geoKeyDirectory[base + 1] == 0) {
        return (int) geoKeyDirectory[base + 3];
      }
    }
    return null;
  }
}
