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
    // Many tiles: about four tasks per slot, up to MAX_TILES each, and a tapering last wave.
    assertEquals(
        List.of(200, 200, 200, 200, 200, 200, 200, 104, 48, 24, 24),
        sizes(Partitions.of(List.of(scene("l", 192 * 40, 192 * 40)), 8, 2)));
  }

  /**
   * The last wave tapers, so that no slot works on alone for a whole task while the others idle:
   * once fewer than one task per slot remains, each takes a slot's share of the rest, down to half
   * of MIN_TILES, and a rest smaller than that joins the task before it.
   */
  @Test
  void theLastWaveTapers() {
    // The 4096² bench scene at 256 / 32 (484 tiles), batches of 2, two slots.
    assertEquals(
        List.of(60, 60, 60, 60, 60, 60, 60, 32, 16, 16),
        sizes(Partitions.of(List.of(scene("b", 4096, 4096)), 2, 2)));
    // Sixteen slots: the slots' shares are small from the start; the last 22 tiles stay together.
    assertEquals(
        List.of(
            30, 30, 28, 26, 24, 22, 22, 20, 18, 18, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
            16, 16, 22),
        sizes(Partitions.of(List.of(scene("b", 4096, 4096)), 2, 16)));
    // One slot has nobody to wait for: tasks stay whole up to the last.
    assertEquals(
        List.of(512, 512, 512, 512, 512, 512, 512, 512, 512, 512, 209),
        sizes(Partitions.of(List.of(scene("w", 14000, 14000)), 4, 1)));
  }

  private static List<Integer> sizes(List<List<TileRange>> partitions) {
    return partitions.stream().map(Partitions::tiles).toList();
  }

  /**
   * 12 + 12 + 6 tiles, batches of 5, two slots: tasks of 15 tiles (about a slot's share, in whole
   * batches), cut across scenes, one range per task and scene.
   */
  @Test
  void smallRunLayout() {
    List<Scene> scenes =
        List.of(
            scene("a", 192 * 4, 192 * 3),
            scene("b", 192 * 4, 192 * 3),
            scene("c", 192 * 3, 192 * 2));
    assertEquals("a[0,12)/1 b[0,3)/2 | b[3,12)/2 c[0,6)/1", layout(Partitions.of(scenes, 5, 2)));
    // A batch larger than a slot's share: one batch is the smallest task.
    assertEquals("s[0,9)/1", layout(Partitions.of(List.of(scene("s", 500, 500)), 16, 2)));
    assertEquals(
        "s[0,4)/3 | s[4,8)/3 | s[8,9)/3",
        layout(Partitions.of(List.of(scene("s", 500, 500)), 4, 2)));
  }

  /** An archive of many tiles: tasks stop growing at MAX_TILES, rounded down to whole batches. */
  @Test
  void largeRunsHaveTasksOfAtMostMaxTiles() {
    List<Scene> archive = List.of(scene("big", 192 * 100, 192 * 100), scene("more", 192 * 50, 192));
    for (int batch : new int[] {8, 7}) {
      List<List<TileRange>> partitions = Partitions.of(archive, batch, 2);
      int size = Partitions.MAX_TILES / batch * batch;
      long remaining = 10_000 + 50;
      for (int i = 0; i < partitions.size(); i++) {
        int tiles = Partitions.tiles(partitions.get(i));
        assertTrue(tiles <= size, "task " + i + ", batch " + batch);
        if (remaining >= 2L * size) { // before the last wave
          assertEquals(size, tiles, "task " + i + ", batch " + batch);
        }
        remaining -= tiles;
      }
      long ranges = partitions.stream().mapToLong(List::size).sum();
      assertTrue(ranges <= partitions.size() + archive.size() - 1, "one range per task and scene");
    }
  }

  /** Ranges of a task, "|" between tasks: scene[from,to)/ranges of the scene. */
  private static String layout(List<List<TileRange>> partitions) {
    StringBuilder text = new StringBuilder();
    for (List<TileRange> partition : partitions) {
      text.append(text.isEmpty() ? "" : " | ");
      for (int i = 0; i < partition.size(); i++) {
        TileRange r = partition.get(i);
        text.append(i == 0 ? "" : " ")
            .append(r.scene().name())
            .append('[')
            .append(r.from())
            .append(',')
            .append(r.to())
            .append(")/")
            .append(r.ranges());
      }
    }
    return text.toString();
  }
}
