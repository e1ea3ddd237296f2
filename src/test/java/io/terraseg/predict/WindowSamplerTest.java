package io.terraseg.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.terraseg.model.ModelSpec.InputSpec;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.raster.SampleType;
import io.terraseg.raster.TestRasters;
import java.awt.Rectangle;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WindowSamplerTest {
  @TempDir Path dir;

  /**
   * An image smaller than the tile is padded by mirroring at its edges (reflection without
   * repeating the edge pixel), bands are picked 1-based and may repeat, and values are normalized
   * as (raw/scale − mean)/std.
   */
  @Test
  void smallImagesAreMirroredAndBandsNormalized() throws Exception {
    int w = 20;
    int h = 9;
    Path file =
        TestRasters.raster(w, h, 2, SampleType.UINT16, (x, y, b) -> 1000 * b + 10 * y + x)
            .write(dir.resolve("small.tif"));
    int t = 32;
    InputSpec input =
        new InputSpec(new int[] {2, 1, 2}, 10.0, new double[] {1, 2, 3}, new double[] {2, 4, 8});
    float[] dest = new float[3 * t * t];
    boolean[] valid = new boolean[t * t];
    try (GeoTiffFile tiff = GeoTiffFile.open(file.toString(), new Configuration())) {
      assertTrue(
          new WindowSampler(input, t)
              .sample(tiff, new Rectangle(0, 0, t, t), null, dest, 0, valid));
    }
    for (int c = 0; c < 3; c++) {
      int band = input.bands()[c] - 1;
      for (int y = 0; y < t; y++) {
        for (int x = 0; x < t; x++) {
          double raw = 1000 * band + 10 * mirror(y, h) + mirror(x, w);
          double expected = (raw / 10.0 - input.mean()[c]) / input.std()[c];
          assertEquals(
              expected, dest[c * t * t + y * t + x], 1e-4, "channel " + c + " at " + x + "," + y);
        }
      }
    }
    assertEquals(19, mirror(19, w));
    assertEquals(18, mirror(20, w)); // the edge pixel is not repeated
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
      WindowSampler sampler = new WindowSampler(input, 32);
      assertFalse(
          sampler.sample(tiff, new Rectangle(0, 0, 32, 32), 0.0, dest, 0, valid), "all nodata");
      assertTrue(
          sampler.sample(tiff, new Rectangle(32, 0, 32, 32), 0.0, dest, 0, valid),
          "band 1 is 0 but band 2 has data");
      for (boolean v : valid) {
        assertTrue(v);
      }
    }
  }

  private static int mirror(int p, int n) {
    int period = 2 * (n - 1);
    p = p % period;
    return p < n ? p : period - p;
  }
}
