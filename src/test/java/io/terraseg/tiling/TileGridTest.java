package io.terraseg.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.terraseg.TerraSegException;
import java.awt.Rectangle;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TileGridTest {

  /**
   * Reading order: every tile once; strips left to right, each top to bottom and left to right
   * within; a strip at least as wide as the grid is row-major.
   */
  @Test
  void readingOrderVisitsEveryTileOnceStripByStrip() {
    Random random = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      int columns = 1 + random.nextInt(12);
      int rows = 1 + random.nextInt(9);
      int strip = 1 + random.nextInt(columns + 2);
      TileGrid grid = new TileGrid(16 * columns, 16 * rows, 32, 8, strip);
      boolean[] seen = new boolean[grid.size()];
      Tile previous = null;
      for (int position = 0; position < grid.size(); position++) {
        Tile tile = grid.tileAt(position);
        assertEquals(tile.index(), grid.indexAt(position));
        assertTrue(!seen[tile.index()], "tile " + tile.index() + " read twice");
        seen[tile.index()] = true;
        if (previous != null) {
          int stripOf = tile.column() / strip;
          int previousStrip = previous.column() / strip;
          assertTrue(stripOf == previousStrip || stripOf == previousStrip + 1);
          if (stripOf == previousStrip) {
            Tile before = previous;
            boolean sameRow =
                tile.row() == previous.row() && tile.column() == previous.column() + 1;
            boolean nextRow = tile.row() == previous.row() + 1 && tile.column() % strip == 0;
            assertTrue(sameRow || nextRow, () -> "after " + before + " came " + tile);
          }
        }
        previous = tile;
      }
      if (strip >= columns) {
        for (int position = 0; position < grid.size(); position++) {
          assertEquals(position, grid.indexAt(position));
        }
      }
    }
  }

  /** The rule's properties on many random grids, small images (n < T) included. */
  @Test
  void coresPartitionTheImageAndWindowsGiveEachCoreItsOverlap() {
    Random random = new Random(42);
    for (int trial = 0; trial < 300; trial++) {
      int overlap = 8 * random.nextInt(9);
      int tile = 2 * overlap + 16 * (1 + random.nextInt(12));
      int width = 1 + random.nextInt(900);
      int height = 1 + random.nextInt(900);
      TileGrid grid = new TileGrid(width, height, tile, overlap);
      int[] owner = new int[width * height];
      Arrays.fill(owner, -1);
      List<Tile> tiles = grid.tiles();
      assertEquals(grid.columns() * grid.rows(), tiles.size());
      for (Tile t : tiles) {
        Rectangle core = t.core();
        Rectangle window = t.window();
        assertEquals(tile, window.width);
        assertEquals(tile, window.height);
        assertTrue(window.contains(core), () -> "window " + window + " must contain core " + core);
        checkAxis(core.x, core.width, window.x, width, tile, overlap);
        checkAxis(core.y, core.height, window.y, height, tile, overlap);
        for (int y = core.y; y < core.y + core.height; y++) {
          for (int x = core.x; x < core.x + core.width; x++) {
            assertEquals(-1, owner[y * width + x], "pixel in two cores");
            owner[y * width + x] = t.index();
          }
        }
      }
      for (int o : owner) {
        assertTrue(o >= 0, "pixel in no core");
      }
    }
  }

  private static void checkAxis(
      int coreStart, int coreLength, int windowStart, int n, int tile, int overlap) {
    int stride = tile - 2 * overlap;
    assertEquals(0, coreStart % stride, "cores start on the stride");
    assertEquals(Math.min(stride, n - coreStart), coreLength);
    if (n >= tile) {
      assertTrue(
          windowStart >= 0 && windowStart + tile <= n, "window inside the image when n >= T");
      assertEquals(Math.max(0, Math.min(coreStart - overlap, n - tile)), windowStart);
      // At least O pixels of context before and after the core, unless the image edge is closer.
      assertTrue(coreStart - windowStart >= Math.min(overlap, coreStart));
      int after = windowStart + tile - (coreStart + coreLength);
      assertTrue(after >= Math.min(overlap, n - (coreStart + coreLength)));
    } else {
      assertEquals(0, windowStart, "small images: one padded window from 0");
    }
  }

  @Test
  void tilesAreRowMajor() {
    TileGrid grid = new TileGrid(1000, 500, 512, 64);
    assertEquals(384, grid.stride());
    assertEquals(3, grid.columns());
    assertEquals(2, grid.rows());
    Tile last = grid.tile(5);
    assertEquals(2, last.column());
    assertEquals(1, last.row());
    assertEquals(new Rectangle(768, 384, 232, 116), last.core());
    assertEquals(new Rectangle(488, 0, 512, 512), last.window());
  }

  @Test
  void rejectsStridesThatCannotBeMaskTiles() {
    TerraSegException e =
        assertThrows(TerraSegException.class, () -> new TileGrid(100, 100, 500, 30));
    assertTrue(e.getMessage().contains("multiple of 16"), e.getMessage());
    assertThrows(TerraSegException.class, () -> new TileGrid(100, 100, 64, 32));
    assertThrows(TerraSegException.class, () -> new TileGrid(100, 100, 64, -1));
  }
}
