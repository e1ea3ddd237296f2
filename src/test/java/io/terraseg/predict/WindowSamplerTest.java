package io.terraseg.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.terraseg.model.ModelSpec.InputSpec;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.raster.SampleType;
import io.terraseg.raster.TestRasters;
import java.awt.Rectangle;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WindowSamplerTest {
  @TempDir Path dir;

  /**
   * An image smaller than the tile is padded by mirroring at its edges: reflection without
   * repeating the edge pixel, continued past a whole period when the tile is more than twice the
   * image.
   */
  @Test
  void windowsPastTheImageAreMirroredWithoutRepeatingTheEdge() throws Exception {
    // 5 x 3, pixel (x, y) = 10y + x
    float[] window = sampleOneBand(5, 3, new Rectangle(0, 0, 8, 8));
    assertArrayEquals(
        new float[] {
          0, 1, 2, 3, 4, 3, 2, 1,
          10, 11, 12, 13, 14, 13, 12, 11,
          20, 21, 22, 23, 24, 23, 22, 21,
          10, 11, 12, 13, 14, 13, 12, 11,
          0, 1, 2, 3, 4, 3, 2, 1,
          10, 11, 12, 13, 14, 13, 12, 11,
          20, 21, 22, 23, 24, 23, 22, 21,
          10, 11, 12, 13, 14, 13, 12, 11,
        },
        window);
  }

  /** A window inside the image on one axis reads its rows where they are; the other is mirrored. */
  @Test
  void aWindowDownATallNarrowImageMirrorsOnlyItsColumns() throws Exception {
    // 5 x 20, pixel (x, y) = 10y + x; rows 12..19 exist, columns 5..7 do not
    float[] window = sampleOneBand(5, 20, new Rectangle(0, 12, 8, 8));
    assertArrayEquals(
        new float[] {
          120, 121, 122, 123, 124, 123, 122, 121,
          130, 131, 132, 133, 134, 133, 132, 131,
          140, 141, 142, 143, 144, 143, 142, 141,
          150, 151, 152, 153, 154, 153, 152, 151,
          160, 161, 162, 163, 164, 163, 162, 161,
          170, 171, 172, 173, 174, 173, 172, 171,
          180, 181, 182, 183, 184, 183, 182, 181,
          190, 191, 192, 193, 194, 193, 192, 191,
        },
        window);
  }

  /** Bands are picked 1-based and may repeat; values are normalized as (raw/scale − mean)/std. */
  @Test
  void bandsArePickedAndNormalized() throws Exception {
    // 5 x 3, two bands: band 1 = 10y + x, band 2 = 100 + 10y + x
    Path file =
        TestRasters.raster(5, 3, 2, SampleType.UINT16, (x, y, b) -> 100 * b + 10 * y + x)
            .write(dir.resolve("two-bands.tif"));
    InputSpec input =
        new InputSpec(new int[] {2, 1, 2}, 10.0, new double[] {1, 2, 3}, new double[] {2, 4, 8});
    float[] dest = sample(file, input, new Rectangle(0, 0, 8, 8));
    int t = 8;
    // pixel (0, 0): band 2 = 100, band 1 = 0
    assertEquals((10.0 - 1) / 2, dest[0], 1e-6);
    assertEquals((0.0 - 2) / 4, dest[t * t], 1e-6);
    assertEquals((10.0 - 3) / 8, dest[2 * t * t], 1e-6);
    // pixel (7, 7) mirrors (1, 1): band 2 = 111, band 1 = 11
    int last = t * t - 1;
    assertEquals((11.1 - 1) / 2, dest[last], 1e-5);
    assertEquals((1.1 - 2) / 4, dest[t * t + last], 1e-5);
    assertEquals((11.1 - 3) / 8, dest[2 * t * t + last], 1e-5);
  }

  /**
   * Two inputs (an ensemble whose models read other bands, normalized otherwise) from one read of
   * the window: each gets its own bands and normalization, and a pixel is nodata only where every
   * band either reads is nodata.
   */
  @Test
  void eachInputGetsItsBandsAndNormalizationFromOneWindow() throws Exception {
    // 8 x 8, three bands: band b = 100b + 10y + x, except that band 1 (index 0) is 0 (nodata)
    // left of x = 4, band 3 in the top row, and every band in the 2 x 2 top-left corner
    Path file =
        TestRasters.raster(
                8,
                8,
                3,
                SampleType.UINT16,
                (x, y, b) ->
                    (x < 2 && y < 2) || (b == 0 && x < 4) || (b == 2 && y == 0)
                        ? 0
                        : 100 * b + 10 * y + x)
            .nodata(0.0)
            .write(dir.resolve("three-bands.tif"));
    InputSpec rgb =
        new InputSpec(new int[] {1, 2, 3}, 1.0, new double[] {0, 0, 0}, new double[] {1, 1, 1});
    InputSpec other =
        new InputSpec(new int[] {3, 1}, 10.0, new double[] {1, 2}, new double[] {2, 4});
    int t = 8;
    float[][] dest = {new float[2 * 3 * t * t], new float[2 * 2 * t * t]};
    boolean[] valid = new boolean[t * t];
    try (GeoTiffFile tiff = GeoTiffFile.open(file.toString(), new Configuration())) {
      // Tile 1 of each input's batch.
      assertTrue(
          new WindowSampler(List.of(rgb, other), t)
              .sample(tiff, new Rectangle(0, 0, t, t), 0.0, dest, 1, valid));
    }
    int x = 5;
    int y = 3;
    int p = y * t + x;
    assertEquals(35, dest[0][3 * t * t + p], 1e-6);
    assertEquals(135, dest[0][3 * t * t + t * t + p], 1e-6);
    assertEquals(235, dest[0][3 * t * t + 2 * t * t + p], 1e-6);
    assertEquals((23.5 - 1) / 2, dest[1][2 * t * t + p], 1e-5);
    assertEquals((3.5 - 2) / 4, dest[1][2 * t * t + t * t + p], 1e-5);
    for (int i = 0; i < t * t; i++) {
      // e.g. (2, 0): the second input's bands 3 and 1 are nodata there, the first's band 2 is not
      assertEquals(!(i % t < 2 && i / t < 2), valid[i], "pixel " + i);
    }
  }

  /** The window of a one-band UINT8 image with pixel (x, y) = 10y + x, not normalized. */
  private float[] sampleOneBand(int width, int height, Rectangle window) {
    Path file =
        TestRasters.raster(width, height, 1, SampleType.UINT8, (x, y, b) -> 10 * y + x)
            .write(dir.resolve("ramp-" + width + "x" + height + ".tif"));
    return sample(
        file, new InputSpec(new int[] {1}, 1.0, new double[] {0}, new double[] {1}), window);
  }

  private static float[] sample(Path file, InputSpec input, Rectangle window) {
    int t = window.width;
    float[] dest = new float[input.bands().length * t * t];
    try (GeoTiffFile tiff = GeoTiffFile.open(file.toString(), new Configuration())) {
      assertTrue(
          new WindowSampler(List.of(input), t)
              .sample(tiff, window, null, new float[][] {dest}, 0, new boolean[t * t]));
    }
    return dest;
  }

  @Test
  void aWindowIsNodataOnlyWhereEveryBandIsNodata() throws Exception {
    Path file =
        TestRasters.raster(64, 64, 2, SampleType.UINT8, (x, y, b) -> x < 32 ? 0 : (b == 0 ? 0 : 7))
            .nodata(0.0)
            .write(dir.resolve("nodata.tif"));
    InputSpec input =
        new InputSpec(new int[] {1, 2}, 1.0, new double[] {0, 0}, new double[] {1, 1});
    boolean[] valid = new boolean[32 * 32];
    float[] dest = new float[2 * 32 * 32];
    try (GeoTiffFile tiff = GeoTiffFile.open(file.toString(), new Configuration())) {
      WindowSampler sampler = new WindowSampler(List.of(input), 32);
      float[][] inputs = {dest};
      assertFalse(
          sampler.sample(tiff, new Rectangle(0, 0, 32, 32), 0.0, inputs, 0, valid), "all nodata");
      assertTrue(
          sampler.sample(tiff, new Rectangle(32, 0, 32, 32), 0.0, inputs, 0, valid),
          "band 1 is 0 but band 2 has data");
      for (boolean v : valid) {
        assertTrue(v);
      }
    }
  }
}
