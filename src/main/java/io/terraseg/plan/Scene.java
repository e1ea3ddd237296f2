package io.terraseg.plan;

import io.terraseg.raster.RasterInfo;
import io.terraseg.tiling.TileGrid;
import java.io.Serializable;

/**
 * One input scene to segment in this run: its image, its label raster when evaluated, how it is
 * cut, and the fingerprint its commit record will carry.
 */
public record Scene(
    String name, RasterInfo image, RasterInfo label, TileGrid grid, String fingerprint)
    implements Serializable {}
