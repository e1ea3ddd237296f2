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
 * <p>S must be a multiple of 16 because each core becomes one internal tile of the mask GeoTIFF,
 * whose tile sizes TIFF requires to be multiples of 16; that is what lets tasks compress mask tiles
 * in parallel and the driver only concatenate them.
 */
public record TileGrid(int width, int height, int tileSize, int overlap)
    implements java.io.Serializable {

  public TileGrid {
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

  int columns() {
    return ceilDiv(width, stride());
  }

  int rows() {
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
