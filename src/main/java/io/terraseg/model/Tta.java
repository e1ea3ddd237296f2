package io.terraseg.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * Test-time augmentation: each tile is also predicted mirrored (and transposed), each prediction
 * mapped back to the tile's orientation and the softmax averaged, which evens out what a network
 * learned about orientation, at the cost of one forward pass per transform.
 */
public enum Tta {
  /** The tile as it is: one forward pass. */
  NONE(1),
  /** Identity, horizontal, vertical and both flips: four forward passes. */
  FLIPS(4),
  /** The 8 rotations and reflections of the square tile (the dihedral group D4). */
  D4(8);

  private static final List<Transform> ALL =
      List.of(
          new Transform(false, false, false),
          new Transform(false, false, true),
          new Transform(false, true, false),
          new Transform(false, true, true),
          new Transform(true, false, false),
          new Transform(true, false, true),
          new Transform(true, true, false),
          new Transform(true, true, true));

  private final int count;

  Tta(int count) {
    this.count = count;
  }

  /** The transforms, identity first; FLIPS's are D4's first four. */
  List<Transform> transforms() {
    return ALL.subList(0, count);
  }

  /**
   * One symmetry of the square on an N×C×T×T batch: an optional transpose of rows and columns, then
   * optional vertical (rows) and horizontal (columns) flips. Transposed, the flips give the four
   * rotations by odd quarter turns and the two diagonal reflections. Each is a permutation of
   * pixels, so mapping a prediction back is exact.
   */
  record Transform(boolean transpose, boolean flipRows, boolean flipColumns) {
    NDArray apply(NDArray tiles) {
      return flip(transpose ? tiles.transpose(0, 1, 3, 2) : tiles);
    }

    /** Maps a prediction of the transformed tiles back onto the tiles: flips, then transpose. */
    NDArray invert(NDArray prediction) {
      NDArray flipped = flip(prediction);
      return transpose ? flipped.transpose(0, 1, 3, 2) : flipped;
    }

    private NDArray flip(NDArray tiles) {
      if (flipRows && flipColumns) {
        return tiles.flip(2, 3);
      }
      if (flipRows) {
        return tiles.flip(2);
      }
      return flipColumns ? tiles.flip(3) : tiles;
    }
  }
}
