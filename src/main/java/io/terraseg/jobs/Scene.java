package io.terraseg.jobs;

import io.terraseg.raster.RasterInfo;
import io.terraseg.tiling.TileGrid;
import java.io.Serializable;

/** One input scene of a run: its image, its label raster when evaluated, and how it is cut. */
record Scene(String name, RasterInfo image, RasterInfo label, TileGrid grid) implements Serializable {
  String maskName() {
    return name + ".mask.tif";
  }
}
