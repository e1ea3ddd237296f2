package io.terraseg.raster;

import java.util.function.Supplier;
import javax.measure.Unit;
import javax.measure.quantity.Length;
import org.geotools.api.referencing.crs.CoordinateReferenceSystem;
import org.geotools.api.referencing.crs.GeographicCRS;
import org.geotools.api.referencing.crs.ProjectedCRS;
import org.geotools.api.referencing.datum.Ellipsoid;
import si.uom.SI;

/**
 * The ground area of one pixel of a raster, in square metres, by pixel row. In a projected CRS
 * every pixel has the geotransform's area, converted to metres from the CRS's unit. In a geographic
 * CRS a pixel row is a band between two latitudes on the CRS's ellipsoid, whose area has a closed
 * form (the authalic-latitude formula: b²·Δλ·[q(φ₂) − q(φ₁)]/2), so rows near the poles count less
 * than rows at the equator, exactly.
 */
public final class PixelArea {
  private final double projected;
  private final double semiMinor;
  private final double eccentricity;
  private final double[] transform;

  private PixelArea(double projected, Ellipsoid ellipsoid, double[] transform) {
    this.projected = projected;
    this.transform = transform;
    if (ellipsoid == null) {
      semiMinor = 0;
      eccentricity = 0;
    } else {
      double a = ellipsoid.getSemiMajorAxis();
      semiMinor = ellipsoid.getSemiMinorAxis();
      eccentricity = Math.sqrt(1 - (semiMinor * semiMinor) / (a * a));
    }
  }

  /**
   * The pixel areas of a raster with these georeferencing tags, decoding its CRS ({@code crs}) only
   * when the GeoKeys do not already say it is projected in metres: the first CRS a JVM decodes
   * starts GeoTools' EPSG database, ~2 s of every executor's first task, and GDAL writes the linear
   * unit of every projected CRS it knows. Null when unknown, as {@link
   * #of(CoordinateReferenceSystem, double[])}.
   */
  public static PixelArea of(
      GeoTiffTags tags, double[] t, Supplier<CoordinateReferenceSystem> crs) {
    if (t != null && tags != null && tags.projectedInMetres()) {
      return projected(t, 1);
    }
    return of(t == null ? null : crs.get(), t);
  }

  /**
   * The pixel areas of a raster with this CRS and geotransform, or null when they are unknown: no
   * geotransform, no CRS, or a CRS that is neither projected in a length unit nor geographic.
   */
  public static PixelArea of(CoordinateReferenceSystem crs, double[] t) {
    if (t == null || crs == null) {
      return null;
    }
    if (crs instanceof ProjectedCRS) {
      Unit<?> unit = crs.getCoordinateSystem().getAxis(0).getUnit();
      if (unit == null || !unit.isCompatible(SI.METRE)) {
        return null;
      }
      @SuppressWarnings("unchecked")
      double metre = ((Unit<Length>) unit).getConverterTo(SI.METRE).convert(1.0);
      return projected(t, metre);
    }
    if (crs instanceof GeographicCRS geographic) {
      return new PixelArea(Double.NaN, geographic.getDatum().getEllipsoid(), t);
    }
    return null;
  }

  /** Every pixel the geotransform's parallelogram, its unit {@code metre} metres long. */
  private static PixelArea projected(double[] t, double metre) {
    return new PixelArea(Math.abs(t[1] * t[5] - t[2] * t[4]) * metre * metre, null, t);
  }

  /** The area of each pixel of row {@code row}, m². */
  public double ofRow(int row) {
    if (!Double.isNaN(projected)) {
      return projected;
    }
    // North-up (no rotation terms): the row spans latitudes y0 + row·dy .. y0 + (row + 1)·dy, and a
    // pixel spans dx degrees of longitude. Rotated geographic grids use the same band at the
    // row's first pixel, which is exact only without rotation.
    double top = Math.toRadians(transform[3] + row * transform[5]);
    double bottom = Math.toRadians(transform[3] + (row + 1) * transform[5]);
    double width = Math.toRadians(Math.abs(transform[1]));
    return semiMinor * semiMinor * width * Math.abs(q(top) - q(bottom)) / 2;
  }

  /** q(φ) of the authalic latitude: the area from the equator to φ is b²·Δλ·q(φ)/2. */
  private double q(double latitude) {
    double s = Math.sin(latitude);
    double e = eccentricity;
    if (e == 0) {
      return 2 * s;
    }
    double es = e * s;
    return s / (1 - es * es) + Math.log((1 + es) / (1 - es)) / (2 * e);
  }
}
