package io.terraseg.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.terraseg.TerraSegException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How --input, --labels and --pred arguments become scenes: listing only, so the files need not be
 * rasters.
 */
class InputPathsTest {
  private static final Configuration HADOOP = new Configuration();
  @TempDir Path dir;

  /**
   * images/: two scenes in both spellings, a mask segment wrote beside them, hidden files of a
   * running job, a file that is not a GeoTIFF and a subdirectory.
   */
  @BeforeEach
  void files() throws IOException {
    for (String name :
        List.of(
            "images/a.tif",
            "images/b.TIFF",
            "images/a.mask.tif",
            "images/.c.tif",
            "images/_d.tif",
            "images/notes.txt",
            "images/nested/e.tif",
            "labels/a.label.tif",
            "labels/b.tif",
            "other/a.tiff")) {
      Files.createDirectories(dir.resolve(name).getParent());
      Files.createFile(dir.resolve(name));
    }
  }

  @Test
  void aDirectoryGivesItsGeoTiffsButNotMasksHiddenFilesOrSubdirectories() {
    assertEquals(
        Map.of("a", path("images/a.tif"), "b", path("images/b.TIFF")),
        InputPaths.resolveScenes(List.of(path("images")), HADOOP));
  }

  @Test
  void aGlobGivesItsMatchesAndAFileItself() {
    assertEquals(
        Map.of("a", path("images/a.tif")),
        InputPaths.resolveScenes(List.of(path("images/*.tif")), HADOOP),
        "a glob skips masks and hidden files too");
    assertEquals(
        Map.of("b", path("images/b.TIFF"), "e", path("images/nested/e.tif")),
        InputPaths.resolveScenes(List.of(path("images/b.TIFF"), path("images/*/e.tif")), HADOOP));
  }

  @Test
  void labelsAndPredictionsTakeMasksAndDropTheirSuffixes() {
    assertEquals(
        Map.of("a", path("labels/a.label.tif"), "b", path("labels/b.tif")),
        InputPaths.resolve(List.of(path("labels")), HADOOP, "label"));
    assertEquals(
        Map.of("a", path("images/a.mask.tif")),
        InputPaths.resolve(List.of(path("images/a.mask.tif")), HADOOP, "prediction"));
  }

  @Test
  void scenesAreSortedByName() {
    assertEquals(
        List.of("a", "b"),
        List.copyOf(
            InputPaths.resolveScenes(List.of(path("images/b.TIFF"), path("images/a.tif")), HADOOP)
                .keySet()));
  }

  @Test
  void twoFilesOfOneSceneNameAreAnErrorNamingBoth() {
    TerraSegException e =
        assertThrows(
            TerraSegException.class,
            () -> InputPaths.resolveScenes(List.of(path("images"), path("other")), HADOOP));
    assertEquals(
        path("other/a.tiff") + ": same scene name \"a\" as " + path("images/a.tif"),
        e.getMessage());
    assertEquals(
        Map.of("a", path("images/a.tif"), "b", path("images/b.TIFF")),
        InputPaths.resolveScenes(List.of(path("images"), path("images/a.tif")), HADOOP),
        "the same file twice is one scene");
  }

  @Test
  void anArgumentThatMatchesNothingIsAnError() throws IOException {
    Files.delete(dir.resolve("images/a.tif"));
    Files.delete(dir.resolve("images/b.TIFF"));
    assertEquals(
        path("images") + ": no input GeoTIFF (.tif/.tiff) found",
        assertThrows(
                TerraSegException.class,
                () -> InputPaths.resolveScenes(List.of(path("images")), HADOOP))
            .getMessage(),
        "a folder holding only masks has no input");
    assertEquals(
        path("missing/*.tif") + ": no label GeoTIFF (.tif/.tiff) found",
        assertThrows(
                TerraSegException.class,
                () -> InputPaths.resolve(List.of(path("missing/*.tif")), HADOOP, "label"))
            .getMessage());
  }

  @Test
  void sceneNames() {
    assertEquals("a", InputPaths.sceneName("/x/a.tif"));
    assertEquals("a", InputPaths.sceneName("hdfs://nn:8020/x/a.TIFF"));
    assertEquals("a", InputPaths.sceneName("out/a.mask.tif"));
    assertEquals("a", InputPaths.sceneName("labels/a.Label.tif"));
    assertEquals("a.b", InputPaths.sceneName("a.b.tif"));
    assertEquals(".mask", InputPaths.sceneName(".mask.tif"), "a suffix alone is a name");
  }

  @Test
  void aSingleFileIsNotADirectoryOrAGlob() {
    assertTrue(InputPaths.isSingleFile(List.of(path("images/a.tif")), HADOOP));
    assertFalse(InputPaths.isSingleFile(List.of(path("images")), HADOOP));
    assertFalse(InputPaths.isSingleFile(List.of(path("images/a*.tif")), HADOOP));
    assertFalse(
        InputPaths.isSingleFile(List.of(path("images/a.tif"), path("images/b.TIFF")), HADOOP));
  }

  private String path(String relative) {
    return dir.resolve(relative).toString();
  }
}
