package io.terraseg.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the scenes' tiles into Spark partitions of consecutive tiles, as lists of {@link
 * TileRange}s, so the driver holds one small object per partition and scene, never one per tile.
 */
public final class Partitions {
  /** Fewer tiles per task make progress and load balance fine-grained on small runs... */
  static final int MIN_TILES = 32;

  /**
   * ...more keep the number of tasks (and part files per scene) reasonable on archives of millions
   * of tiles.
   */
  static final int MAX_TILES = 512;

  private Partitions() {}

  /**
   * Partitions of whole batches (a partial batch is a new input shape, which TorchScript
   * re-optimizes for) that fill every task slot about four times over, between MIN_TILES and
   * MAX_TILES tiles each (fewer when the run has too few tiles to give every slot MIN_TILES). A
   * partition may hold the ends and starts of several scenes.
   */
  public static List<List<TileRange>> of(List<Scene> scenes, int batch, int slots) {
    long total = scenes.stream().mapToLong(s -> s.grid().size()).sum();
    long perSlot = (total + Math.max(1, slots) - 1) / Math.max(1, slots);
    // Small runs: at most MIN_TILES, but no fewer partitions than slots, so every slot gets work.
    long target =
        Math.min(
            MAX_TILES, Math.max(Math.min(MIN_TILES, perSlot), total / (4L * Math.max(1, slots))));
    int size = (int) Math.max(batch, target / batch * batch);
    List<List<TileRange>> partitions = new ArrayList<>();
    List<TileRange> current = new ArrayList<>();
    int room = size;
    for (Scene scene : scenes) {
      int n = scene.grid().size();
      int ranges = 0;
      List<int[]> cuts = new ArrayList<>();
      for (int from = 0; from < n; ) {
        int to = Math.min(n, from + room);
        cuts.add(new int[] {from, to});
        room -= to - from;
        from = to;
        if (room == 0) {
          cuts.add(null); // partition boundary
          room = size;
        }
      }
      for (int[] cut : cuts) {
        ranges += cut == null ? 0 : 1;
      }
      for (int[] cut : cuts) {
        if (cut == null) {
          partitions.add(current);
          current = new ArrayList<>();
        } else {
          current.add(new TileRange(scene, cut[0], cut[1], ranges));
        }
      }
    }
    if (!current.isEmpty()) {
      partitions.add(current);
    }
    return partitions;
  }

  public static int tiles(List<TileRange> partition) {
    return partition.stream().mapToInt(TileRange::size).sum();
  }
}
