package io.terraseg.tools;

import io.terraseg.raster.SampleType;
import java.awt.Rectangle;
import java.awt.image.WritableRaster;
import java.nio.file.Path;
import java.util.List;

/**
 * A synthetic land-cover scene and its label raster, of any size, for the demo, tests and
 * benchmarks. Every pixel is a pure function of (seed, x, y), so a scene is computed block by block
 * as it is written and any window of it can be recomputed without reading the files.
 *
 * <p>Classes form smooth regions tens to a few hundred pixels across (thresholded multi-octave
 * value noise); the image is each class's color plus per-pixel noise, and about 3% of pixels take
 * another class's color, so a per-pixel nearest-color classifier is mostly but not perfectly right.
 * With {@code nodataBorder}, the left quarter and a thin frame on the other sides are nodata: 0 in
 * every image band (GDAL_NODATA 0; real pixels are never all zero) and 255 in the labels
 * (GDAL_NODATA 255).
 *
 * <p>UTM zone 33N (EPSG:32633), 10 m pixels, top-left corner at (500000, 4100000).
 */
public record SampleScene(int width, int height, long seed, boolean nodataBorder) {

  /** A land-cover class: its id in label rasters, its name and its color in the sample model. */
  public record LandCover(int id, String name, int rgb) {}

  public static final List<LandCover> CLASSES =
      List.of(
          new LandCover(0, "water", 0x1f78b4),
          new LandCover(1, "vegetation", 0x33a02c),
          new LandCover(2, "bare soil", 0xb15928),
          new LandCover(3, "built-up", 0xa6a6a6));
  public static final int EPSG = 32633;
  public static final double[] GEO_TRANSFORM = {500_000, 10, 0, 4_100_000, 0, -10};
  public static final int IMAGE_NODATA = 0;
  public static final int LABEL_NODATA = 255;
  private static final int BLOCK = 256;
  private static final int NOISE_AMPLITUDE = 20;
  // Out of 256: the share of pixels painted with another class's color.
  private static final int CLUTTER = 8;

  public SampleScene {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("scene size must be positive: " + width + "x" + height);
    }
  }

  /** Writes the RGB image and the label raster, each atomically. */
  public static void write(
      Path imageFile, Path labelFile, int width, int height, long seed, boolean nodataBorder) {
    SampleScene scene = new SampleScene(width, height, seed, nodataBorder);
    scene.writeImage(imageFile);
    scene.writeLabels(labelFile);
  }

  /** Uint8 RGB, tiled 256×256, DEFLATE. */
  void writeImage(Path file) {
    geoTiff(3, nodataBorder ? (double) IMAGE_NODATA : null, null, this::fillImage).write(file);
  }

  /** Uint8 class ids with the class colors as palette, tiled 256×256, DEFLATE. */
  void writeLabels(Path file) {
    int[] palette = CLASSES.stream().mapToInt(LandCover::rgb).toArray();
    geoTiff(1, nodataBorder ? (double) LABEL_NODATA : null, palette, this::fillLabels).write(file);
  }

  /** The label of pixel (x, y): a class id, or {@link #LABEL_NODATA}. */
  public int label(int x, int y) {
    return labels(new Rectangle(x, y, 1, 1))[0];
  }

  private GeneratedGeoTiff geoTiff(
      int bands, Double nodata, int[] palette, GeneratedGeoTiff.Pixels pixels) {
    return new GeneratedGeoTiff(
        width,
        height,
        bands,
        SampleType.UINT8,
        true,
        BLOCK,
        BLOCK,
        "DEFLATE",
        nodata,
        EPSG,
        GEO_TRANSFORM.clone(),
        palette,
        pixels);
  }

  private void fillLabels(WritableRaster block) {
    Rectangle r = block.getBounds();
    int[] labels = labels(r);
    block.setSamples(r.x, r.y, r.width, r.height, 0, labels);
  }

  private void fillImage(WritableRaster block) {
    Rectangle r = block.getBounds();
    int[] labels = labels(r);
    int[] rgb = new int[3 * labels.length];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] == LABEL_NODATA) {
        continue; // stays IMAGE_NODATA in every band
      }
      long h = hash(seed, r.x + i % r.width, r.y + i / r.width, 0x5EED);
      int shown = labels[i];
      if ((h & 0xFF) < CLUTTER) {
        shown = (shown + 1 + (int) ((h >>> 8) & 0xFF) % (CLASSES.size() - 1)) % CLASSES.size();
      }
      int color = CLASSES.get(shown).rgb();
      for (int c = 0; c < 3; c++) {
        int prototype = (color >> (16 - 8 * c)) & 0xFF;
        // Sum of two uniform bytes: a triangular noise in ±NOISE_AMPLITUDE, commoner near zero.
        int sum = (int) ((h >>> (16 + 16 * c)) & 0xFF) + (int) ((h >>> (24 + 16 * c)) & 0xFF);
        int noise = (sum - 255) * NOISE_AMPLITUDE / 255;
        rgb[3 * i + c] = Math.max(1, Math.min(255, prototype + noise));
      }
    }
    block.setPixels(r.x, r.y, r.width, r.height, rgb);
  }

  /** Class ids (or nodata) of a rectangle, row-major. */
  private int[] labels(Rectangle r) {
    // Elevation decides water; a finer field scatters built-up patches; a third splits vegetation
    // from soil.
    float[] elevation = valueNoise(r, 1, 256);
    float[] urban = valueNoise(r, 2, 64);
    float[] moisture = valueNoise(r, 3, 160);
    int[] labels = new int[r.width * r.height];
    for (int i = 0; i < labels.length; i++) {
      int x = r.x + i % r.width;
      int y = r.y + i / r.width;
      if (isNodata(x, y)) {
        labels[i] = LABEL_NODATA;
      } else if (elevation[i] < 0.36f) {
        labels[i] = 0;
      } else if (urban[i] > 0.64f) {
        labels[i] = 3;
      } else {
        labels[i] = moisture[i] < 0.52f ? 1 : 2;
      }
    }
    return labels;
  }

  private boolean isNodata(int x, int y) {
    if (!nodataBorder) {
      return false;
    }
    int frame = Math.max(1, Math.min(width, height) / 32);
    return x < width / 4 || y < frame || x >= width - frame || y >= height - frame;
  }

  /**
   * Four octaves of value noise in [0, 1] over a rectangle: octave o has lattice cells of {@code
   * cell >> o} pixels with hashed corner values, smoothly interpolated. Corners are hashed once per
   * rectangle, not per pixel, which keeps a 30000² scene affordable.
   */
  private float[] valueNoise(Rectangle r, int field, int cell) {
    float[] sum = new float[r.width * r.height];
    float amplitude = 1;
    float total = 0;
    for (int octave = 0; octave < 4; octave++, cell /= 2, amplitude /= 2) {
      total += amplitude;
      int gx0 = Math.floorDiv(r.x, cell);
      int gy0 = Math.floorDiv(r.y, cell);
      int nx = Math.floorDiv(r.x + r.width - 1, cell) - gx0 + 2;
      int ny = Math.floorDiv(r.y + r.height - 1, cell) - gy0 + 2;
      float[] lattice = new float[nx * ny];
      for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
          long h = hash(seed, gx0 + i, gy0 + j, 16 * field + octave);
          lattice[j * nx + i] = (h >>> 40) / (float) (1 << 24);
        }
      }
      for (int y = 0; y < r.height; y++) {
        int gy = Math.floorDiv(r.y + y, cell);
        float ty = smooth((r.y + y - gy * cell) / (float) cell);
        int row = (gy - gy0) * nx;
        for (int x = 0; x < r.width; x++) {
          int gx = Math.floorDiv(r.x + x, cell);
          float tx = smooth((r.x + x - gx * cell) / (float) cell);
          int k = row + gx - gx0;
          float top = lattice[k] + tx * (lattice[k + 1] - lattice[k]);
          float bottom = lattice[k + nx] + tx * (lattice[k + nx + 1] - lattice[k + nx]);
          sum[y * r.width + x] += amplitude * (top + ty * (bottom - top));
        }
      }
    }
    for (int i = 0; i < sum.length; i++) {
      sum[i] /= total;
    }
    return sum;
  }

  private static float smooth(float t) {
    return t * t * (3 - 2 * t);
  }

  /**
   * SplitMix64 finalizer over the seed and coordinates: deterministic per pixel, no shared state.
   */
  private static long hash(long seed, long x, long y, long salt) {
    long z = seed * 0x9E3779B97F4A7C15L + x * 0xC2B2AE3D27D4EB4FL + y * 0x165667B19E3779F9L + salt;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
