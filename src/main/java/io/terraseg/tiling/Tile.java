package io.terraseg.tiling;

import java.awt.Rectangle;
import java.io.Serializable;

/**
 * One unit of work: the model sees {@code window} (tile × tile, may reach past the image when the
 * image is smaller than a tile) and keeps only {@code core}. Cores partition the image, so every
 * pixel is predicted, stitched and counted exactly once.
 *
 * @param index row-major position in the grid, also the mask's internal TIFF tile number
 */
public record Tile(int index, int column, int row, Rectangle window, Rectangle core)
    implements Serializable {}
