package io.terraseg.plan;

import io.terraseg.TerraSegException;
import io.terraseg.raster.RasterInfo;
import io.terraseg.raster.SampleType;

/** The checks a label raster must pass before any pixel is counted against it. */
public final class LabelRasters {
  private LabelRasters() {}

  /**
   * Returns {@code label} if it is a single-band integer raster on exactly {@code reference}'s
   * grid.
   */
  public static RasterInfo check(RasterInfo label, RasterInfo reference) {
    requireClassIds(label);
    if (!label.sameGridAs(reference)) {
      throw new TerraSegException(
          label.uri()
              + ": grid "
              + label.gridDescription()
              + " does not match "
              + reference.uri()
              + ": grid "
              + reference.gridDescription());
    }
    return label;
  }

  /** Class rasters (labels, predictions) are single-band integers. */
  public static void requireClassIds(RasterInfo label) {
    if (label.sampleType() == SampleType.FLOAT32 || label.sampleType() == SampleType.FLOAT64) {
      throw new TerraSegException(
          label.uri()
              + ": class rasters hold integer class ids; this one is "
              + label.sampleType().gdalName());
    }
    if (label.bands() != 1) {
      throw new TerraSegException(
          label.uri() + ": class rasters have one band; this one has " + label.bands());
    }
  }
}
