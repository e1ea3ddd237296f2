package io.terraseg.predict;

import io.terraseg.raster.RasterInfo;
import io.terraseg.tiling.TileGrid;

/**
 * In what order a task reads a scene's windows, and how many decoded source blocks it keeps, so
 * that each internal block of a tiled source is decoded about once and the block cache depends on
 * the tile size and the bands, never on the scene's size.
 *
 * <p>Neighbouring windows share blocks across (the next window in a row) and down (the next row of
 * windows starts inside the blocks the last one ended in). In row-major order, keeping the blocks
 * for the next row means keeping a scene-wide row of them: 69 MB for a 30000-wide 3-band scene.
 * Reading in strips a few tiles wide instead ({@link TileGrid#tileAt}) needs the blocks of one
 * strip's row only; strips are as wide as {@link #BUDGET_BYTES} allows. Blocks straddling a strip's
 * edge are decoded once per strip (one block column of the 8 or 9 that a 5-tile strip spans).
 *
 * <p>Striped sources (each block a full-width band of rows) are read row-major: a strip of tiles
 * would decode every block once per strip. Their cache is a row of windows' worth of strips up to
 * {@link #STRIPED_MAX_BYTES}; past that, rows shared by two rows of windows are decoded twice.
 */
public final class ReadOrder {
  /** The decoded blocks a task keeps of its image. */
  static final long BUDGET_BYTES = 8L << 20;

  static final long STRIPED_MAX_BYTES = 32L << 20;

  private ReadOrder() {}

  /** Tile columns per strip for reading {@code image} with windows of {@code tileSize}, overlap. */
  public static int stripColumns(RasterInfo image, int tileSize, int overlap) {
    TileGrid grid = new TileGrid(image.width(), image.height(), tileSize, overlap);
    if (!image.tiled()) {
      return grid.columns();
    }
    int columns = 1;
    while (columns < grid.columns()
        && cacheBytes(image, grid, columns + 1, grid.tileSize()) <= BUDGET_BYTES) {
      columns++;
    }
    return columns;
  }

  /**
   * The block cache that lets a task read {@code image}'s windows of {@code grid} in its order,
   * decoding each block about once: the blocks under one row of windows of a strip, and one more
   * row of blocks so the least recently used blocks evicted are never the ones the next row needs.
   */
  public static long imageCacheBytes(RasterInfo image, TileGrid grid) {
    return cacheBytes(image, grid, grid.stripColumns(), grid.tileSize());
  }

  /**
   * The same for a label raster read core by core (cores do not overlap, so only the blocks
   * straddling two rows of cores are read twice without it).
   */
  public static long labelCacheBytes(RasterInfo label, TileGrid grid) {
    return cacheBytes(label, grid, grid.stripColumns(), grid.stride());
  }

  private static long cacheBytes(RasterInfo raster, TileGrid grid, int stripColumns, int rows) {
    long blockBytes =
        (long) raster.blockWidth()
            * raster.blockHeight()
            * raster.bands()
            * raster.sampleType().bytes();
    int stripWidth =
        Math.min(raster.width(), Math.min(stripColumns, grid.columns()) * grid.stride())
            + 2 * grid.overlap();
    long across = Math.min(ceilDiv(stripWidth, raster.blockWidth()) + 1, blocks(raster, true));
    long down = Math.min(ceilDiv(rows, raster.blockHeight()) + 2, blocks(raster, false));
    long bytes = across * down * blockBytes;
    return raster.tiled() ? bytes : Math.min(bytes, STRIPED_MAX_BYTES);
  }

  private static long blocks(RasterInfo raster, boolean across) {
    return across
        ? ceilDiv(raster.width(), raster.blockWidth())
        : ceilDiv(raster.height(), raster.blockHeight());
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
