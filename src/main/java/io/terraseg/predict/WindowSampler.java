package io.terraseg.predict;

import io.terraseg.model.ModelSpec.InputSpec;
import io.terraseg.raster.GeoTiffFile;
import java.awt.Rectangle;
import java.util.Arrays;

/**
 * Turns a tile window into the model's input: selected bands (1-based, may repeat), normalized as
 * (raw / scale − mean) / std, written straight into a batch buffer. Parts of a window beyond a
 * small image are filled by mirroring the image at its edge, which keeps edge statistics natural
 * for a CNN. A pixel is nodata when every selected band equals the scene's nodata value.
 */
final class WindowSampler {
  private final InputSpec input;
  private final int tileSize;
  private float[] plane = new float[0];

  WindowSampler(InputSpec input, int tileSize) {
    this.input = input;
    this.tileSize = tileSize;
  }

  int channels() {
    return input.bands().length;
  }

  /**
   * Fills {@code dest[offset ...]} with C×T×T normalized values and {@code valid[T×T]} with
   * data/nodata.
   *
   * @return whether any pixel of the window holds data
   */
  boolean sample(
      GeoTiffFile file,
      Rectangle window,
      Double nodata,
      float[] dest,
      int offset,
      boolean[] valid) {
    int t = tileSize;
    Rectangle clip = window.intersection(new Rectangle(0, 0, file.width(), file.height()));
    int[] xs = sourceIndex(window.x, clip.x, file.width());
    int[] ys = sourceIndex(window.y, clip.y, file.height());
    int w = clip.width;
    if (plane.length < w * clip.height) {
      plane = new float[w * clip.height];
    }
    Arrays.fill(valid, 0, t * t, nodata == null);
    int[] bands = input.bands();
    for (int c = 0; c < bands.length; c++) {
      file.readBand(clip, bands[c] - 1, plane);
      float scale = (float) input.scale();
      float mean = (float) input.mean()[c];
      float invStd = (float) (1.0 / input.std()[c]);
      int base = offset + c * t * t;
      // A window inside the image on x reads its row straight, without the mirror's index table:
      // a loop the JIT can vectorize. The arithmetic is the same either way.
      boolean inside = w == t;
      for (int y = 0; y < t; y++) {
        int row = ys[y] * w;
        int out = base + y * t;
        if (inside) {
          for (int x = 0; x < t; x++) {
            dest[out + x] = (plane[row + x] / scale - mean) * invStd;
          }
        } else {
          for (int x = 0; x < t; x++) {
            dest[out + x] = (plane[row + xs[x]] / scale - mean) * invStd;
          }
        }
        if (nodata != null) {
          markData(row, xs, nodata, valid, y * t);
        }
      }
    }
    if (nodata == null) {
      return true;
    }
    for (int i = 0; i < t * t; i++) {
      if (valid[i]) {
        return true;
      }
    }
    return false;
  }

  /** Marks the pixels of one window row whose sample is not nodata. */
  private void markData(int row, int[] xs, double nodata, boolean[] valid, int out) {
    int t = tileSize;
    if (Double.isNaN(nodata)) {
      for (int x = 0; x < t; x++) {
        valid[out + x] |= !Float.isNaN(plane[row + xs[x]]);
      }
    } else {
      float value = (float) nodata;
      for (int x = 0; x < t; x++) {
        valid[out + x] |= plane[row + xs[x]] != value;
      }
    }
  }

  /**
   * For each window position, the column (row) to read in the clipped raster, mirrored beyond the
   * image.
   */
  private int[] sourceIndex(int windowStart, int clipStart, int n) {
    int[] index = new int[tileSize];
    int period = 2 * (n - 1);
    for (int i = 0; i < tileSize; i++) {
      int p = windowStart + i;
      if (p >= n) {
        p = period == 0 ? 0 : p % period;
        if (p >= n) {
          p = period - p;
        }
      }
      index[i] = p - clipStart;
    }
    return index;
  }
}
