package io.terraseg.jobs;

import io.terraseg.metrics.ConfusionMatrix;
import java.io.Serializable;

/**
 * What a task hands back for one tile: the core's class ids as one DEFLATE-compressed internal GeoTIFF tile,
 * whether the model ran on it (false for all-nodata tiles), and its confusion matrix when labels are given.
 */
record MaskTile(int scene, int index, byte[] deflated, boolean predicted, ConfusionMatrix confusion)
    implements Serializable {}
