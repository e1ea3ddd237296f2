package io.terraseg.tiling;

import io.terraseg.TerraSegException;
import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.List;

/**
 * How a scene is cut: tile size T, overlap O, stride S = T − 2O. On each axis core k is [kS,
 * min((k+1)S, n)) and its window starts at clamp(coreStart − O, 0, n − T) and is T long, so a
 * window lies inside the image whenever n ≥ T and each core pixel has at least O pixels of context
 * on every side that is not the image edge. Images smaller than T on an axis get windows starting
 * at 0 that the reader pads by mirroring.
 *
 * <p>Tiles are numbered row-major ({@link Tile#index()}, the mask's internal tile order) but
 * predicted in strips of {@code stripColumns} tile columns, each strip top to bottom and row-major
 * within ({@link #tileAt(int)}): a narrow strip's windows reuse the source blocks of the row above
 * while a small block cache still holds them, where a row across a wide scene would need a cache as
 * wide as the scene. {@code stripColumns} ≥ the grid's columns is plain row-major order.
 *
 * <p>S must be a multiple of 16 because each core becomes one internal tile of the mask GeoTIFF,
 * whose tile sizes TIFF requires to be multiples of 16; that is what lets tasks compress mask tiles
 * in parallel and the driver only concatenate them.
 */
public record TileGrid(int width, int height, int tileSize, int overlap, int stripColumns)
    implements java.io.Serializable {

  /** Predicted in row-major order. */
  public TileGrid(int width, int height, int tileSize, int overlap) {
    this(width, height, tileSize, overlap, Integer.MAX_VALUE);
  }

  public TileGrid {
    if (stripColumns < 1) {
      throw new IllegalArgumentException("strips of " + stripColumns + " columns");
    }
    if (tileSize <= 0 || overlap < 0) {
      throw new TerraSegException(
          "tile size must be positive and overlap non-negative (tile "
              + tileSize
              + ", overlap "
              + overlap
              + ")");
    }
    int stride = tileSize - 2 * overlap;
    if (stride <= 0) {
      throw new TerraSegException(
          "overlap "
              + overlap
              + " leaves no core in a "
              + tileSize
              + "-pixel tile: need tile > 2 x overlap");
    }
    if (stride % 16 != 0) {
      throw new TerraSegException(
          "tile − 2 × overlap must be a multiple of 16 (it is the mask's internal"
              + " GeoTIFF tile size); got "
              + tileSize
              + " − 2 × "
              + overlap
              + " = "
              + stride);
    }
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("empty image " + width + "x" + height);
    }
  }

  public int stride() {
    return tileSize - 2 * overlap;
  }

  public int columns() {
    return ceilDiv(width, stride());
  }

  public int rows() {
    return ceilDiv(height, stride());
  }

  public int size() {
    return columns() * rows();
  }

  public Tile tile(int index) {
    int column = index % columns();
    int row = index / columns();
    int s = stride();
    int coreX = column * s;
    int coreY = row * s;
    Rectangle core =
        new Rectangle(coreX, coreY, Math.min(s, width - coreX), Math.min(s, height - coreY));
    Rectangle window =
        new Rectangle(windowStart(coreX, width), windowStart(coreY, height), tileSize, tileSize);
    return new Tile(index, column, row, window, core);
  }

  /**
   * The tile predicted {@code position}-th: strip by strip (all strips but the last are {@code
   * stripColumns} wide), each top to bottom, each row of a strip left to right.
   */
  public Tile tileAt(int position) {
    return tile(indexAt(position));
  }

  /** The row-major index of the tile predicted {@code position}-th. */
  public int indexAt(int position) {
    int columns = columns();
    int strip = Math.min(stripColumns, columns);
    int perStrip = strip * rows();
    int first = position / perStrip * strip; // the strip's first column
    int width = Math.min(strip, columns - first);
    int within = position - first * rows();
    return within / width * columns + first + within % width;
  }

  /** All tiles in row-major order, which is also the order of the mask's internal tiles. */
  public List<Tile> tiles() {
    List<Tile> tiles = new ArrayList<>(size());
    for (int i = 0; i < size(); i++) {
      tiles.add(tile(i));
    }
    return tiles;
  }

  private int windowStart(int coreStart, int n) {
    return Math.max(0, Math.min(coreStart - overlap, n - tileSize));
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
