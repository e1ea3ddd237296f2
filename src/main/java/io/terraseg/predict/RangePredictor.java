package io.terraseg.predict;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.terraseg.TerraSegException;
import io.terraseg.metrics.ConfusionMatrix;
import io.terraseg.metrics.LabelCounting;
import io.terraseg.model.SegmentationModel;
import io.terraseg.model.TileBatch;
import io.terraseg.plan.Scene;
import io.terraseg.plan.SegmentPlan;
import io.terraseg.plan.TileRange;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.raster.MaskFormat;
import io.terraseg.tiling.Tile;
import io.terraseg.write.MaskPart;
import java.awt.Rectangle;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.Deflater;
import org.apache.hadoop.conf.Configuration;

/**
 * The executor side of predicting: for one tile range, read each window straight from storage, run
 * the model in batches (the JVM's shared model, this task's own predictor and input buffer), keep
 * each core, compress it as one mask tile and count it against the labels. Memory is a batch of
 * tiles plus the range's compressed tiles, whatever the scene. Not thread-safe: one per task.
 */
public final class RangePredictor implements AutoCloseable {
  private final SegmentPlan plan;
  private final Configuration conf;
  private final Predictor<TileBatch, byte[]> predictor;
  private final WindowSampler sampler;
  private final int channels;
  private final float[] input;
  private final boolean[][] valid;
  private final Tile[] batch;
  private final Deflater deflater = new Deflater(6);
  private final Map<String, GeoTiffFile> files = new HashMap<>();
  private long readNanos;
  private long modelNanos;
  private long maskNanos;

  public RangePredictor(SegmentPlan plan, SegmentationModel model, Configuration conf) {
    this.plan = plan;
    this.conf = conf;
    this.predictor = model.newPredictor();
    int t = plan.tileSize();
    this.sampler = new WindowSampler(model.spec().input(), t);
    this.channels = sampler.channels();
    this.input = new float[plan.batch() * channels * t * t];
    this.valid = new boolean[plan.batch()][t * t];
    this.batch = new Tile[plan.batch()];
  }

  /** The range's mask tiles, in tile order, with its counts. */
  public MaskPart predict(TileRange range) {
    Scene scene = range.scene();
    closeFilesOtherThan(scene);
    int t = plan.tileSize();
    byte[][] tiles = new byte[range.size()][];
    ConfusionMatrix confusion =
        scene.label() == null ? null : new ConfusionMatrix(plan.numClasses());
    long predicted = 0;
    int n = 0;
    GeoTiffFile image = open(scene.image().uri());
    for (int index = range.from(); index < range.to(); index++) {
      Tile tile = scene.grid().tile(index);
      long start = System.nanoTime();
      boolean hasData =
          sampler.sample(
              image, tile.window(), scene.image().nodata(), input, n * channels * t * t, valid[n]);
      readNanos += System.nanoTime() - start;
      if (!hasData) {
        tiles[index - range.from()] = maskTile(scene, tile, null, null, 0, confusion);
        continue;
      }
      batch[n++] = tile;
      if (n == batch.length) {
        predictBatch(range, n, tiles, confusion);
        predicted += n;
        n = 0;
      }
    }
    if (n > 0) {
      predictBatch(range, n, tiles, confusion);
      predicted += n;
    }
    long[] sizes = new long[tiles.length];
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    for (int i = 0; i < tiles.length; i++) {
      sizes[i] = tiles[i].length;
      data.writeBytes(tiles[i]);
    }
    return new MaskPart(range, sizes, data.toByteArray(), predicted, confusion);
  }

  public long readNanos() {
    return readNanos;
  }

  public long modelNanos() {
    return modelNanos;
  }

  /** Time spent cutting cores, counting them against labels and compressing them. */
  public long maskNanos() {
    return maskNanos;
  }

  private void predictBatch(TileRange range, int n, byte[][] tiles, ConfusionMatrix confusion) {
    int t = plan.tileSize();
    long start = System.nanoTime();
    byte[] classes;
    try {
      classes = predictor.predict(new TileBatch(input, n, channels, t));
    } catch (TranslateException e) {
      throw new TerraSegException(
          range.scene().image().uri()
              + ": the model failed on a batch ("
              + TerraSegException.describe(e)
              + ")",
          e);
    }
    long predicted = System.nanoTime();
    modelNanos += predicted - start;
    for (int i = 0; i < n; i++) {
      tiles[batch[i].index() - range.from()] =
          maskTile(range.scene(), batch[i], classes, valid[i], i * t * t, confusion);
    }
    maskNanos += System.nanoTime() - predicted;
  }

  /**
   * The core of a tile's prediction as one stride × stride internal TIFF tile, DEFLATE-compressed
   * (nodata where the input is nodata or the tile was skipped; the part past the image edge is
   * padding GDAL never shows), counted against the labels when there are any.
   */
  private byte[] maskTile(
      Scene scene,
      Tile tile,
      byte[] classes,
      boolean[] valid,
      int offset,
      ConfusionMatrix confusion) {
    Rectangle core = tile.core();
    int t = plan.tileSize();
    int s = scene.grid().stride();
    int dx = core.x - tile.window().x;
    int dy = core.y - tile.window().y;
    byte[] mask = new byte[s * s];
    Arrays.fill(mask, (byte) MaskFormat.NODATA);
    if (classes != null) {
      for (int y = 0; y < core.height; y++) {
        int w = (dy + y) * t + dx;
        System.arraycopy(classes, offset + w, mask, y * s, core.width);
        for (int x = 0; x < core.width; x++) {
          if (!valid[w + x]) {
            mask[y * s + x] = (byte) MaskFormat.NODATA;
          }
        }
      }
    }
    if (confusion != null) {
      int[] predictions = new int[core.width * core.height];
      for (int y = 0; y < core.height; y++) {
        for (int x = 0; x < core.width; x++) {
          predictions[y * core.width + x] = mask[y * s + x] & 0xFF;
        }
      }
      int[] labels =
          open(scene.label().uri())
              .readWindow(core)
              .getSamples(0, 0, core.width, core.height, 0, (int[]) null);
      LabelCounting.count(
          confusion,
          labels,
          predictions,
          predictions.length,
          scene.label().nodata(),
          plan.ignoreIndex(),
          scene.label().uri(),
          scene.image().uri() + " (prediction)",
          core);
    }
    return deflate(mask);
  }

  private byte[] deflate(byte[] data) {
    deflater.reset();
    deflater.setInput(data);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 8 + 64);
    byte[] buffer = new byte[16384];
    while (!deflater.finished()) {
      out.write(buffer, 0, deflater.deflate(buffer));
    }
    return out.toByteArray();
  }

  private GeoTiffFile open(String uri) {
    return files.computeIfAbsent(uri, u -> GeoTiffFile.open(u, conf));
  }

  /**
   * A task's ranges go scene by scene: keep the current scene's files open, close the previous
   * one's.
   */
  private void closeFilesOtherThan(Scene scene) {
    files
        .entrySet()
        .removeIf(
            e -> {
              boolean other =
                  !e.getKey().equals(scene.image().uri())
                      && (scene.label() == null || !e.getKey().equals(scene.label().uri()));
              if (other) {
                e.getValue().close();
              }
              return other;
            });
  }

  @Override
  public void close() {
    deflater.end();
    files.values().forEach(GeoTiffFile::close);
    files.clear();
    predictor.close();
  }
}
