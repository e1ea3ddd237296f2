package io.terraseg.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.terraseg.tiling.TileGrid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How tiles become Spark tasks: every tile exactly once, in order, in few small objects. */
class PartitionsTest {
  private static Scene scene(String name, int width, int height) {
    return new Scene(name, null, null, new TileGrid(width, height, 256, 32), "fp");
  }

  @Test
  void everyTileOfEverySceneIsInExactlyOneRangeInOrder() {
    List<Scene> scenes =
        List.of(
            scene("a", 5000, 3000),
            scene("b", 300, 200),
            scene("c", 100, 100),
            scene("d", 4000, 4000));
    for (int slots : new int[] {1, 2, 16, 200}) {
      for (int batch : new int[] {1, 3, 8}) {
        List<List<TileRange>> partitions = Partitions.of(scenes, batch, slots);
        Map<String, Integer> next = new HashMap<>();
        Map<String, Integer> ranges = new HashMap<>();
        for (List<TileRange> partition : partitions) {
          int tiles = Partitions.tiles(partition);
          assertTrue(tiles <= Partitions.MAX_TILES + batch, "bounded partitions");
          for (TileRange r : partition) {
            assertEquals(next.getOrDefault(r.scene().name(), 0), r.from(), "consecutive ranges");
            next.put(r.scene().name(), r.to());
            ranges.merge(r.scene().name(), 1, Integer::sum);
          }
        }
        for (List<TileRange> partition : partitions) {
          for (TileRange r : partition) {
            assertEquals(
                ranges.get(r.scene().name()),
                r.ranges(),
                "each range knows how many its scene has");
          }
        }
        for (Scene s : scenes) {
          assertEquals(s.grid().size(), next.get(s.name()), "all tiles of " + s.name());
        }
      }
    }
  }

  @Test
  void partitionsAreWholeBatchesAndSmallRunsStillUseEverySlot() {
    List<List<TileRange>> partitions = Partitions.of(List.of(scene("a", 3000, 3000)), 8, 4);
    List<Integer> sizes = new ArrayList<>();
    partitions.forEach(p -> sizes.add(Partitions.tiles(p)));
    for (int i = 0; i < sizes.size() - 1; i++) {
      assertEquals(0, sizes.get(i) % 8, "whole batches: " + sizes);
    }
    // 9 tiles, 2 slots: both slots get work rather than one task taking all.
    assertTrue(Partitions.of(List.of(scene("s", 500, 500)), 4, 2).size() >= 2);
    // Many tiles: about four tasks per slot, up to MAX_TILES each.
    assertEquals(4 * 2, Partitions.of(List.of(scene("l", 192 * 40, 192 * 40)), 8, 2).size(), 1);
  }
}
