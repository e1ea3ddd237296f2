package io.terraseg.plan;

import java.io.Serializable;

/**
 * Positions {@code [from, to)} of a scene's grid in its reading order ({@link
 * io.terraseg.tiling.TileGrid#tileAt}): what a Spark task is given instead of one object per tile.
 * A scene too large for one task is cut into {@code ranges} ranges; the task that finishes the last
 * of them assembles the scene's mask.
 */
public record TileRange(Scene scene, int from, int to, int ranges) implements Serializable {
  public int size() {
    return to - from;
  }

  public boolean wholeScene() {
    return ranges == 1;
  }
}
