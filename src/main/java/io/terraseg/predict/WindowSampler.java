package io.terraseg.predict;

import io.terraseg.model.ModelSpec.InputSpec;
import io.terraseg.raster.GeoTiffFile;
import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a tile window into the models' inputs: selected bands (1-based, may repeat), normalized as
 * (raw / scale − mean) / std, written straight into batch buffers, one per input. Each band of the
 * window is read once, however many inputs select it (an ensemble whose models read other bands or
 * normalize them otherwise has several inputs). Parts of a window beyond a small image are filled
 * by mirroring the image at its edge, which keeps edge statistics natural for a CNN. A pixel is
 * nodata when every band any input selects equals the scene's nodata value.
 */
final class WindowSampler {
  private final List<InputSpec> inputs;
  private final int tileSize;

  /** The distinct bands the inputs select (0-based), in order of first use. */
  private final int[] bands;

  /** For each distinct band, the inputs and channels that take it. */
  private final int[][] takingInput;

  private final int[][] takingChannel;

  private float[] plane = new float[0];

  WindowSampler(List<InputSpec> inputs, int tileSize) {
    this.inputs = List.copyOf(inputs);
    this.tileSize = tileSize;
    Map<Integer, List<int[]>> uses = new LinkedHashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      int[] selected = inputs.get(i).bands();
      for (int c = 0; c < selected.length; c++) {
        uses.computeIfAbsent(selected[c] - 1, b -> new ArrayList<>()).add(new int[] {i, c});
      }
    }
    bands = uses.keySet().stream().mapToInt(Integer::intValue).toArray();
    takingInput = new int[bands.length][];
    takingChannel = new int[bands.length][];
    for (int b = 0; b < bands.length; b++) {
      List<int[]> taking = uses.get(bands[b]);
      takingInput[b] = taking.stream().mapToInt(use -> use[0]).toArray();
      takingChannel[b] = taking.stream().mapToInt(use -> use[1]).toArray();
    }
  }

  /** The channels of input {@code i}. */
  int channels(int i) {
    return inputs.get(i).bands().length;
  }

  /**
   * Fills tile {@code tile} of each input's batch, {@code dest[i][tile × C_i×T×T ...]}, with its
   * C_i×T×T normalized values and {@code valid[T×T]} with data/nodata.
   *
   * @return whether any pixel of the window holds data
   */
  boolean sample(
      GeoTiffFile file,
      Rectangle window,
      Double nodata,
      float[][] dest,
      int tile,
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
    // A window inside the image on x reads its rows straight, without the mirror's index table:
    // a loop the JIT can vectorize. The arithmetic is the same either way.
    boolean inside = w == t;
    for (int b = 0; b < bands.length; b++) {
      file.readBand(clip, bands[b], plane);
      for (int use = 0; use < takingInput[b].length; use++) {
        int i = takingInput[b][use];
        int c = takingChannel[b][use];
        InputSpec input = inputs.get(i);
        float scale = (float) input.scale();
        float mean = (float) input.mean()[c];
        float invStd = (float) (1.0 / input.std()[c]);
        float[] out = dest[i];
        int base = (tile * channels(i) + c) * t * t;
        for (int y = 0; y < t; y++) {
          int row = ys[y] * w;
          int at = base + y * t;
          if (inside) {
            for (int x = 0; x < t; x++) {
              out[at + x] = (plane[row + x] / scale - mean) * invStd;
            }
          } else {
            for (int x = 0; x < t; x++) {
              out[at + x] = (plane[row + xs[x]] / scale - mean) * invStd;
            }
          }
        }
      }
      if (nodata != null) {
        for (int y = 0; y < t; y++) {
          markData(ys[y] * w, xs, nodata, valid, y * t);
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
