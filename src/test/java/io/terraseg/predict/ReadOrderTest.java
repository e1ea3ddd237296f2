package io.terraseg.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.terraseg.raster.RasterInfo;
import io.terraseg.raster.SampleType;
import io.terraseg.tiling.TileGrid;
import org.junit.jupiter.api.Test;

class ReadOrderTest {
  private static RasterInfo tiled(int size, int bands, SampleType type) {
    return new RasterInfo(
        "s.tif", 0, size, size, bands, type, null, null, null, null, true, 256, 256, "DEFLATE",
        null);
  }

  /** 3-band 8-bit in strips of 16 full-width rows. */
  private static RasterInfo striped(int size) {
    return new RasterInfo(
        "s.tif",
        0,
        size,
        size,
        3,
        SampleType.UINT8,
        null,
        null,
        null,
        null,
        false,
        size,
        16,
        "DEFLATE",
        null);
  }

  private static TileGrid grid(RasterInfo image) {
    return new TileGrid(
        image.width(), image.height(), 512, 64, ReadOrder.stripColumns(image, 512, 64));
  }

  /** What a task keeps of its image depends on the tile and the bands, not on the scene's size. */
  @Test
  void blockCacheDoesNotGrowWithTheScene() {
    RasterInfo medium = tiled(8000, 3, SampleType.UINT8);
    RasterInfo huge = tiled(100_000, 3, SampleType.UINT8);
    assertEquals(grid(medium).stripColumns(), grid(huge).stripColumns());
    long cache = ReadOrder.imageCacheBytes(huge, grid(huge));
    assertEquals(ReadOrder.imageCacheBytes(medium, grid(medium)), cache);
    assertTrue(cache <= ReadOrder.BUDGET_BYTES, "cache " + cache);
    // Strips several tiles wide, so most blocks are shared by the windows across and below.
    assertTrue(grid(huge).stripColumns() >= 3, "strip of " + grid(huge).stripColumns());
  }

  /** Many bands of floats: a one-tile strip, and the cache that strip needs, over the budget. */
  @Test
  void wideSamplesGetOneTileStripsAndTheCacheTheyNeed() {
    RasterInfo image = tiled(30000, 13, SampleType.FLOAT32);
    TileGrid grid = grid(image);
    assertEquals(1, grid.stripColumns());
    // A 512-px window spans 3 blocks across; down, 3 and one row for the next: 256² × 13 × 4 each.
    assertEquals(3L * 4 * 256 * 256 * 13 * 4, ReadOrder.imageCacheBytes(image, grid));
  }

  /** Striped sources: a strip of tiles would decode each full-width block once per strip. */
  @Test
  void stripedSourcesAreReadRowMajorWithACappedCache() {
    RasterInfo striped = striped(30000);
    TileGrid grid = grid(striped);
    assertTrue(grid.stripColumns() >= grid.columns());
    assertEquals(ReadOrder.STRIPED_MAX_BYTES, ReadOrder.imageCacheBytes(striped, grid));
    RasterInfo narrow = striped(1000);
    // ceil(512 / 16) + 2 strips of 1000 × 16 × 3 bytes: a row of windows and the next one's start.
    assertEquals(34L * 1000 * 16 * 3, ReadOrder.imageCacheBytes(narrow, grid(narrow)));
  }
}
