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
   *
   * <p>The last wave tapers, as OpenMP's guided schedule does: once fewer than one partition per
   * slot remains, a partition takes a slot's share of what remains, down to half of MIN_TILES. With
   * equal partitions, the slot that drew the last one worked on alone for up to a whole task (on
   * the 4096² bench run, ~3 s of 60 tiles, the scene's commit after it) while the others idled.
   */
  public static List<List<TileRange>> of(List<Scene> scenes, int batch, int slots) {
    int slotCount = Math.max(1, slots);
    long total = scenes.stream().mapToLong(s -> s.grid().size()).sum();
    long perSlot = (total + slotCount - 1) / slotCount;
    // Small runs: at most MIN_TILES, but no fewer partitions than slots, so every slot gets work.
    long target =
        Math.min(MAX_TILES, Math.max(Math.min(MIN_TILES, perSlot), total / (4L * slotCount)));
    int size = (int) Math.max(batch, target / batch * batch);
    int smallest = Math.min(size, wholeBatches(MIN_TILES / 2, batch));
    List<List<TileRange>> partitions = new ArrayList<>();
    List<TileRange> current = new ArrayList<>();
    long remaining = total;
    int room = 0;
    for (Scene scene : scenes) {
      int n = scene.grid().size();
      int ranges = 0;
      List<int[]> cuts = new ArrayList<>();
      for (int from = 0; from < n; ) {
        if (room == 0) {
          cuts.add(null); // partition boundary
          room = next(remaining, size, smallest, slotCount, batch);
        }
        int to = (int) Math.min(n, from + (long) room);
        cuts.add(new int[] {from, to});
        room -= to - from;
        remaining -= to - from;
        from = to;
      }
      for (int[] cut : cuts) {
        ranges += cut == null ? 0 : 1;
      }
      for (int[] cut : cuts) {
        if (cut == null) {
          if (!current.isEmpty()) {
            partitions.add(current);
          }
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

  /**
   * The size of the partition that starts with {@code remaining} tiles left: {@code size}, or in
   * the last wave a slot's share of the rest (whole batches, at least {@code smallest}); the rest
   * whole when what it would leave is less than {@code smallest} and it still fits in {@code size}.
   */
  private static int next(long remaining, int size, int smallest, int slots, int batch) {
    int share = wholeBatches((remaining + slots - 1) / slots, batch);
    int next = Math.max(smallest, Math.min(size, share));
    return remaining - next < smallest && remaining <= size ? (int) remaining : next;
  }

  /** {@code tiles} rounded up to whole batches; at least one batch. */
  private static int wholeBatches(long tiles, int batch) {
    return (int) Math.max(batch, (tiles + batch - 1) / batch * batch);
  }

  public static int tiles(List<TileRange> partition) {
    return partition.stream().mapToInt(TileRange::size).sum();
  }
}
