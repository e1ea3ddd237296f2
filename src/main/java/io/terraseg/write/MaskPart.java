package io.terraseg.write;

import io.terraseg.metrics.ConfusionMatrix;
import io.terraseg.plan.TileRange;

/**
 * The predicted tiles of one tile range: each core DEFLATE-compressed as one internal tile of the
 * mask GeoTIFF (and, with --probabilities, as one internal tile of the probabilities GeoTIFF),
 * concatenated in the grid's reading order ({@link io.terraseg.tiling.TileGrid#tileAt}), with the
 * range's counts.
 *
 * @param tileBytes compressed size of each tile of the range, in reading order
 * @param data the compressed tiles back to back; null when only the header was read from a part
 *     file
 * @param confusion the range's confusion matrix, null without labels
 * @param classPixels pixels of each class id in the range's cores (nodata not counted)
 * @param classAreas their ground area in m², null when the scene's pixel area is unknown
 * @param probabilityBytes compressed size of each probability tile (K bytes per pixel, pixel
 *     interleaved), in reading order; null when the run writes no probabilities
 * @param probabilityData those tiles back to back; null without probabilities or when only the
 *     header was read
 */
public record MaskPart(
    TileRange range,
    long[] tileBytes,
    byte[] data,
    long tilesPredicted,
    ConfusionMatrix confusion,
    long[] classPixels,
    double[] classAreas,
    long[] probabilityBytes,
    byte[] probabilityData) {}
