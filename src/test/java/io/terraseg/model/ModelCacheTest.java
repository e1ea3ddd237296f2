package io.terraseg.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.Device;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor-side model cache on real TorchScript models: what a long-lived executor serves after
 * a model directory is copied or replaced, and which models it closes.
 */
class ModelCacheTest {
  static final int TILE = 8;

  @TempDir static Path weights;

  /** answering[k]: TorchScript weights whose every pixel is class k (k = 1, 2, 3), 4 classes. */
  static Path[] answering = new Path[4];

  @TempDir Path dir;

  /**
   * Made here rather than committed: a 1×1 conv whose only non-zero parameter is the bias of class
   * k. Traced in one process, a throwaway first, so the saved archives carry module names of one
   * length and have equal sizes (which the replacement test needs).
   */
  @BeforeAll
  static void writeConstantModels() throws Exception {
    String script =
        """
        import sys, torch
        for k, path in enumerate(sys.argv[1:]):
            score = torch.nn.Conv2d(3, 4, 1)
            with torch.no_grad():
                score.weight.zero_()
                score.bias.zero_()
                score.bias[k] = 1.0
            torch.jit.trace(score.eval(), torch.zeros(1, 3, 8, 8)).save(path)
        """;
    for (int k = 0; k < answering.length; k++) {
      answering[k] = weights.resolve("class-" + k + ".pt");
    }
    String python = System.getenv().getOrDefault("TERRASEG_PYTHON", "/usr/bin/python3");
    List<String> command = new ArrayList<>(List.of(python, "-c", script));
    Arrays.stream(answering).map(Path::toString).forEach(command::add);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    boolean done = p.waitFor(2, TimeUnit.MINUTES);
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!done || p.exitValue() != 0) {
      fail(python + " with torch (Debian: apt-get install python3-torch) failed:\n" + output);
    }
  }

  @Test
  void aCopyOfAModelDirectoryIsTheSameLoadedModel() throws Exception {
    ModelCache cache = new ModelCache(2);
    Path original = modelDir("original", "landcover", 1);
    Path copy = Files.createDirectories(dir.resolve("copy"));
    for (String file : List.of(ModelSpec.FILE, "model.pt")) {
      Files.copy(original.resolve(file), copy.resolve(file));
    }
    Files.writeString(copy.resolve("NOTES.md"), "trained on the 2024 tiles\n");

    try (ModelCache.Lease a = cache.lease(original, Device.cpu());
        ModelCache.Lease b = cache.lease(copy, Device.cpu())) {
      assertSame(a.model(), b.model());
    }
  }

  @Test
  void replacedWeightsAreLoadedAndServed() throws Exception {
    ModelCache cache = new ModelCache(2);
    Path model = modelDir("model", "landcover", 1);
    SegmentationModel before;
    try (ModelCache.Lease lease = cache.lease(model, Device.cpu())) {
      before = lease.model();
      assertArrayEquals(everyPixel(1), classes(before));
    }

    // A new version of the same size written over the old file (same inode), its modification
    // time set back as cp -p does.
    replaceKeepingSizeAndTime(model.resolve("model.pt"), Files.readAllBytes(answering[2]));

    try (ModelCache.Lease lease = cache.lease(model, Device.cpu())) {
      assertArrayEquals(everyPixel(2), classes(lease.model()), "the new weights' answer");
      assertNotSame(before, lease.model());
    }
  }

  @Test
  void aReplacedModelJsonIsServed() throws Exception {
    ModelCache cache = new ModelCache(2);
    Path model = modelDir("model", "landcover", 1);
    try (ModelCache.Lease lease = cache.lease(model, Device.cpu())) {
      assertEquals("water", lease.model().spec().classNames().get(0));
    }

    Path json = model.resolve(ModelSpec.FILE);
    replaceKeepingSizeAndTime(
        json, Files.readString(json).replace("water", "lakes").getBytes(StandardCharsets.UTF_8));

    try (ModelCache.Lease lease = cache.lease(model, Device.cpu())) {
      assertEquals("lakes", lease.model().spec().classNames().get(0));
    }
  }

  @Test
  void theLeastRecentlyUsedModelIsClosedBeyondCapacity() throws Exception {
    ModelCache cache = new ModelCache(2);
    Path a = modelDir("a", "a", 1);
    Path b = modelDir("b", "b", 2);
    Path c = modelDir("c", "c", 3);
    SegmentationModel first = use(cache, a);
    SegmentationModel second = use(cache, b);
    use(cache, a); // b is now the least recently used
    SegmentationModel third = use(cache, c);

    assertFalse(second.isOpen(), "b, the least recently used, is closed");
    assertTrue(first.isOpen());
    assertTrue(third.isOpen());
    try (ModelCache.Lease again = cache.lease(b, Device.cpu())) {
      assertNotSame(second, again.model());
      assertArrayEquals(everyPixel(2), classes(again.model()));
    }
    assertFalse(first.isOpen(), "a was the least recently used when b came back");
  }

  @Test
  void aLeasedModelIsClosedOnlyWhenItsLastLeaseIsReleased() throws Exception {
    ModelCache cache = new ModelCache(1);
    ModelCache.Lease firstTask = cache.lease(modelDir("a", "a", 1), Device.cpu());
    ModelCache.Lease secondTask = cache.lease(modelDir("a-copy", "a", 1), Device.cpu());
    SegmentationModel running = firstTask.model();
    assertSame(running, secondTask.model());

    SegmentationModel idle = use(cache, modelDir("b", "b", 2));
    assertTrue(running.isOpen(), "held by two tasks");
    assertFalse(idle.isOpen(), "over capacity and held by none");
    assertArrayEquals(everyPixel(1), classes(running));

    try (ModelCache.Lease thirdTask = cache.lease(modelDir("c", "c", 3), Device.cpu())) {
      firstTask.close();
      firstTask.close(); // a second close must not release the other task's hold
      assertTrue(running.isOpen(), "still held by the second task");
      assertArrayEquals(everyPixel(1), classes(running));

      secondTask.close();
      assertFalse(running.isOpen(), "over capacity: closed as its last task lets go of it");
      assertArrayEquals(everyPixel(3), classes(thirdTask.model()));
    }
  }

  /**
   * A task of an ensemble holds its models at once; a device that keeps two must then keep three,
   * or every task would close one of them and the next load it again.
   */
  @Test
  void anEnsembleLargerThanTheCapacityStaysLoadedFromTaskToTask() throws Exception {
    ModelCache cache = new ModelCache(2);
    List<Path> ensemble =
        List.of(modelDir("a", "a", 1), modelDir("b", "b", 2), modelDir("c", "c", 3));
    List<SegmentationModel> first;
    try (ModelCache.Lease task = cache.lease(ensemble, Device.cpu())) {
      first = task.models();
      assertEquals(3, first.size());
    }
    first.forEach(model -> assertTrue(model.isOpen(), "kept after the task"));
    try (ModelCache.Lease task = cache.lease(ensemble, Device.cpu())) {
      for (int m = 0; m < 3; m++) {
        assertSame(first.get(m), task.models().get(m), "the next task gets the same models");
        assertArrayEquals(everyPixel(m + 1), classes(task.models().get(m)));
      }
    }
    SegmentationModel fourth = use(cache, modelDir("d", "d", 1));
    assertTrue(fourth.isOpen());
    assertEquals(
        1, first.stream().filter(model -> !model.isOpen()).count(), "three kept, not four");
  }

  /** One task: acquire, predict, release. */
  private static SegmentationModel use(ModelCache cache, Path model) throws Exception {
    try (ModelCache.Lease lease = cache.lease(model, Device.cpu())) {
      classes(lease.model());
      return lease.model();
    }
  }

  private static byte[] classes(SegmentationModel model) throws Exception {
    try (EnsemblePredictor predictor = EnsemblePredictor.of(model)) {
      return predictor.predict(List.of(new TileBatch(new float[3 * TILE * TILE], 1, 3, TILE)));
    }
  }

  private static byte[] everyPixel(int classId) {
    byte[] expected = new byte[TILE * TILE];
    Arrays.fill(expected, (byte) classId);
    return expected;
  }

  /** A model directory named {@code name} whose weights answer {@code classId} everywhere. */
  private Path modelDir(String name, String modelName, int classId) throws Exception {
    Path model = Files.createDirectories(dir.resolve(name));
    Files.copy(answering[classId], model.resolve("model.pt"));
    Files.writeString(
        model.resolve(ModelSpec.FILE),
        """
        {"name": "%s", "architecture": "torchscript", "weights": "model.pt",
         "classes": [{"id": 0, "name": "water"}, {"id": 1, "name": "trees"},
                     {"id": 2, "name": "crops"}, {"id": 3, "name": "built"}],
         "input": {"bands": [1, 2, 3], "scale": 255.0, "mean": [0, 0, 0], "std": [1, 1, 1]}}
        """
            .formatted(modelName));
    return model;
  }

  private static void replaceKeepingSizeAndTime(Path file, byte[] content) throws Exception {
    assertEquals(Files.size(file), content.length, "the replacement has the same size");
    FileTime modified = Files.getLastModifiedTime(file);
    Files.write(file, content);
    Files.setLastModifiedTime(file, modified);
  }
}
