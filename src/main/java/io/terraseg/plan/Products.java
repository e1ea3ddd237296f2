package io.terraseg.plan;

import io.terraseg.TerraSegException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run writes for each scene besides its mask (a COG with overviews) and its preview, which
 * every run writes.
 *
 * @param probabilities NAME.prob.tif: the class probabilities of the forward pass that made the
 *     mask
 * @param vectors NAME.polygons.fgb and polygons.parquet/NAME.parquet: the mask's regions as
 *     polygons
 * @param simplify with vectors: the Douglas–Peucker tolerance in pixels applied to each polygon, 0
 *     = exact pixel edges
 */
public record Products(boolean probabilities, boolean vectors, double simplify)
    implements Serializable {
  /** The mask and its preview only. */
  public static final Products MASK = new Products(false, false, 0);

  public Products {
    if (simplify < 0 || !Double.isFinite(simplify)) {
      throw new TerraSegException("--simplify must be a number of pixels >= 0");
    }
    if (simplify > 0 && !vectors) {
      throw new TerraSegException("--simplify applies to polygons: add --vectors");
    }
  }

  public Products withProbabilities(boolean on) {
    return new Products(on, vectors, simplify);
  }

  public Products withVectors(boolean on, double simplify) {
    return new Products(probabilities, on, simplify);
  }

  /**
   * What these products add to a scene's fingerprint: nothing for the mask alone, so that the
   * scenes of earlier runs stay complete. Adding a product recomputes the scene: probabilities must
   * come from the same forward pass as the mask, and one commit writes a scene's files.
   */
  List<String> fingerprintLines() {
    List<String> lines = new ArrayList<>();
    if (probabilities) {
      lines.add("probabilities");
    }
    if (vectors) {
      lines.add("vectors simplify " + simplify);
    }
    return lines;
  }
}
