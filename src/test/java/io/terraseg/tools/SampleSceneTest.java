package io.terraseg.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.terraseg.raster.GeoTiffFile;
import io.terraseg.raster.RasterInfo;
import java.awt.Rectangle;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleSceneTest {
  private static final Configuration CONF = new Configuration();

  @TempDir Path dir;

  @Test
  void imageAndLabelsShareTheGridAndAgreeWithTheScene() throws IOException {
    int width = 700;
    int height = 520;
    Path image = dir.resolve("scene.tif");
    Path labels = dir.resolve("labels.tif");
    SampleScene.write(image, labels, width, height, 11, true);
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(
          List.of("labels.tif", "scene.tif"),
          files.map(p -> p.getFileName().toString()).sorted().toList(),
          "no temporary files are left behind");
    }

    RasterInfo imageInfo = GeoTiffFile.readInfo(image.toString(), CONF);
    RasterInfo labelInfo = GeoTiffFile.readInfo(labels.toString(), CONF);
    assertEquals(3, imageInfo.bands());
    assertEquals(1, labelInfo.bands());
    assertEquals(SampleScene.EPSG, imageInfo.epsg());
    assertArrayEquals(SampleScene.GEO_TRANSFORM, imageInfo.geoTransform(), 0);
    assertTrue(imageInfo.sameGridAs(labelInfo));
    assertEquals(
        List.of(true, 256, 256, "DEFLATE"),
        List.of(
            imageInfo.tiled(),
            imageInfo.blockWidth(),
            imageInfo.blockHeight(),
            imageInfo.compression()));
    assertEquals(0.0, imageInfo.nodata());
    assertEquals(255.0, labelInfo.nodata());

    SampleScene scene = new SampleScene(width, height, 11, true);
    long[] counts = new long[SampleScene.CLASSES.size()];
    long valid = 0;
    long nearestRight = 0;
    try (GeoTiffFile img = GeoTiffFile.open(image.toString(), CONF);
        GeoTiffFile lab = GeoTiffFile.open(labels.toString(), CONF)) {
      Raster rgb = img.readWindow(new Rectangle(width, height));
      Raster ids = lab.readWindow(new Rectangle(width, height));
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int id = ids.getSample(x, y, 0);
          assertEquals(scene.label(x, y), id);
          int[] pixel = rgb.getPixel(x, y, (int[]) null);
          if (id == SampleScene.LABEL_NODATA) {
            assertArrayEquals(new int[3], pixel, "nodata pixel (" + x + ", " + y + ")");
            continue;
          }
          assertTrue(pixel[0] + pixel[1] + pixel[2] > 0, "a valid pixel is never all zero");
          valid++;
          counts[id]++;
          if (nearestColor(pixel) == id) {
            nearestRight++;
          }
        }
      }
    }
    assertEquals(
        SampleScene.LABEL_NODATA, scene.label(0, height / 2), "the left quarter is nodata");
    for (int k = 0; k < counts.length; k++) {
      assertTrue(
          counts[k] > valid / 20,
          SampleScene.CLASSES.get(k).name() + " covers " + counts[k] + " of " + valid);
    }
    double accuracy = nearestRight / (double) valid;
    assertTrue(accuracy > 0.9 && accuracy < 0.99, "nearest-color accuracy " + accuracy);
  }

  @Test
  void labelsArePureFunctionsOfSeedAndPosition() {
    SampleScene a = new SampleScene(5000, 5000, 1, false);
    SampleScene b = new SampleScene(100, 100, 1, false);
    SampleScene other = new SampleScene(5000, 5000, 2, false);
    int differences = 0;
    for (int i = 0; i < 400; i++) {
      int x = (i * 37) % 100;
      int y = (i * 53) % 100;
      assertEquals(a.label(x, y), b.label(x, y));
      differences += a.label(x * 50, y * 50) != other.label(x * 50, y * 50) ? 1 : 0;
    }
    assertNotEquals(0, differences, "another seed gives another scene");
  }

  private static int nearestColor(int[] pixel) {
    int best = -1;
    long bestDistance = Long.MAX_VALUE;
    for (SampleScene.LandCover c : SampleScene.CLASSES) {
      long d = 0;
      for (int band = 0; band < 3; band++) {
        long diff = pixel[band] - ((c.rgb() >> (16 - 8 * band)) & 0xFF);
        d += diff * diff;
      }
      if (d < bestDistance) {
        bestDistance = d;
        best = c.id();
      }
    }
    return best;
  }
}
