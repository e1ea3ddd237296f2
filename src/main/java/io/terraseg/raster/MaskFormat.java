package io.terraseg.raster;

/**
 * What a TerraSeg mask holds: one uint8 sample per pixel, the class id 0..K−1, or {@link #NODATA}
 * where the scene has no data. The writer, the predictor, the metrics and evaluate all read the
 * format from here.
 */
public final class MaskFormat {
  /** The mask value of a pixel without data, also the masks' GDAL_NODATA. */
  public static final int NODATA = 255;

  /** Class ids must stay below {@link #NODATA} to fit a byte beside it. */
  public static final int MAX_CLASSES = NODATA;

  private MaskFormat() {}
}
