package io.terraseg.vector;

import java.util.List;

/**
 * A {@link Polygonizer.PixelPolygon}'s rings as the writers encode them: closed (the first point
 * repeated at the end) and in world coordinates. Shared by the writers so that both place every
 * vertex the same way, straight from the int rings, without an intermediate copy.
 */
final class WorldRings {
  private WorldRings() {}

  /** The points of a ring once closed; rejects a ring that cannot be one. */
  static int closedPoints(int[] ring) {
    if (ring.length % 2 != 0 || ring.length < 6) {
      throw new IllegalArgumentException(
          "a ring needs at least 3 points as x, y pairs, not " + ring.length + " values");
    }
    return ring.length / 2 + 1;
  }

  /** The points of all rings once closed. */
  static long closedPoints(List<int[]> rings) {
    long points = 0;
    for (int[] ring : rings) {
      points += closedPoints(ring);
    }
    return points;
  }

  /** Where point {@code i} (0 to {@code closedPoints(ring) - 1}) of a ring starts in it. */
  private static int at(int[] ring, int i) {
    return i == ring.length / 2 ? 0 : 2 * i;
  }

  static double x(GeoTransform transform, int[] ring, int i) {
    int k = at(ring, i);
    return transform.x(ring[k], ring[k + 1]);
  }

  static double y(GeoTransform transform, int[] ring, int i) {
    int k = at(ring, i);
    return transform.y(ring[k], ring[k + 1]);
  }
}
