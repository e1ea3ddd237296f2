package io.terraseg.jobs;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.terraseg.inference.Devices;
import io.terraseg.inference.WindowSampler;
import io.terraseg.metrics.ConfusionMatrix;
import io.terraseg.model.ModelCache;
import io.terraseg.model.SegmentationModel;
import io.terraseg.model.TileBatch;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.raster.HadoopConf;
import io.terraseg.stitch.MaskTiffWriter;
import io.terraseg.tiling.Tile;
import java.awt.Rectangle;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * The executor side of segment: for the tiles of one partition, read each window straight from storage,
 * run the model in batches (shared per-JVM model, this thread's own predictor), keep each core, and return
 * it as a compressed mask tile with its confusion matrix. Memory is a batch of tiles, whatever the scene.
 */
final class SegmentPartition implements FlatMapFunction<Iterator<TileTask>, MaskTile> {
  private final SegmentPlan plan;
  private final HadoopConf hadoop;
  private final TaskTimes times;

  SegmentPartition(SegmentPlan plan, HadoopConf hadoop, TaskTimes times) {
    this.plan = plan;
    this.hadoop = hadoop;
    this.times = times;
  }

  @Override
  public Iterator<MaskTile> call(Iterator<TileTask> tasks) throws TranslateException {
    long start = System.nanoTime();
    Devices.limitThreads(plan.threadsPerTask());
    SegmentationModel model = ModelCache.get(plan.localModelDir(), Devices.forCurrentTask());
    int t = plan.tileSize();
    WindowSampler sampler = new WindowSampler(model.spec().input(), t);
    int c = sampler.channels();
    int b = plan.batch();
    float[] input = new float[b * c * t * t];
    boolean[][] valid = new boolean[b][t * t];
    TileTask[] batch = new TileTask[b];
    int n = 0;
    List<MaskTile> out = new ArrayList<>();
    Deflater deflater = new Deflater(6);
    Map<String, GeoTiffFile> files = new HashMap<>();
    try (Predictor<TileBatch, byte[]> predictor = model.newPredictor()) {
      int currentScene = -1;
      while (tasks.hasNext()) {
        TileTask task = tasks.next();
        if (task.scene() != currentScene) {
          // A partition may cross into the next scene: finish the last one's batch and close its files.
          if (n > 0) {
            predict(predictor, input, n, c, batch, valid, out, files, deflater);
            n = 0;
          }
          files.values().forEach(GeoTiffFile::close);
          files.clear();
          currentScene = task.scene();
        }
        Scene scene = plan.scenes().get(task.scene());
        GeoTiffFile image = open(files, scene.image().uri());
        long read = System.nanoTime();
        boolean hasData = sampler.sample(image, task.tile().window(), scene.image().nodata(), input, n * c * t * t,
            valid[n]);
        times.read().add(System.nanoTime() - read);
        if (!hasData) {
          out.add(maskTile(task, null, null, scene, files, deflater));
          continue;
        }
        batch[n++] = task;
        if (n == b) {
          predict(predictor, input, n, c, batch, valid, out, files, deflater);
          n = 0;
        }
      }
      if (n > 0) {
        predict(predictor, input, n, c, batch, valid, out, files, deflater);
      }
    } finally {
      deflater.end();
      files.values().forEach(GeoTiffFile::close);
    }
    // Nodata tiles skip the batch, so restore raster order: the driver streams tiles in this order.
    out.sort(Comparator.comparingInt(MaskTile::scene).thenComparingInt(MaskTile::index));
    times.total().add(System.nanoTime() - start);
    return out.iterator();
  }

  private void predict(Predictor<TileBatch, byte[]> predictor, float[] input, int n, int c, TileTask[] batch,
      boolean[][] valid, List<MaskTile> out, Map<String, GeoTiffFile> files, Deflater deflater)
      throws TranslateException {
    int t = plan.tileSize();
    long start = System.nanoTime();
    byte[] classes = predictor.predict(new TileBatch(input, n, c, t));
    times.model().add(System.nanoTime() - start);
    for (int i = 0; i < n; i++) {
      Scene scene = plan.scenes().get(batch[i].scene());
      out.add(maskTile(batch[i], Arrays.copyOfRange(classes, i * t * t, (i + 1) * t * t), valid[i], scene, files,
          deflater));
    }
  }

  /**
   * The core of a tile's prediction as one stride × stride internal TIFF tile (nodata where the input is
   * nodata or the tile was skipped; the part past the image edge is padding GDAL never shows).
   */
  private MaskTile maskTile(TileTask task, byte[] classes, boolean[] valid, Scene scene,
      Map<String, GeoTiffFile> files, Deflater deflater) {
    Tile tile = task.tile();
    Rectangle core = tile.core();
    int t = plan.tileSize();
    int s = scene.grid().stride();
    int dx = core.x - tile.window().x;
    int dy = core.y - tile.window().y;
    byte[] mask = new byte[s * s];
    Arrays.fill(mask, (byte) MaskTiffWriter.NODATA);
    int[] predictions = new int[core.width * core.height];
    for (int y = 0; y < core.height; y++) {
      for (int x = 0; x < core.width; x++) {
        int w = (dy + y) * t + dx + x;
        int value = classes == null || !valid[w] ? MaskTiffWriter.NODATA : classes[w] & 0xFF;
        mask[y * s + x] = (byte) value;
        predictions[y * core.width + x] = value;
      }
    }
    ConfusionMatrix confusion = null;
    if (scene.label() != null) {
      confusion = new ConfusionMatrix(plan.numClasses());
      int[] labels = open(files, scene.label().uri()).readWindow(core)
          .getSamples(0, 0, core.width, core.height, 0, (int[]) null);
      LabelCounting.count(confusion, labels, predictions, predictions.length, scene.label().nodata(),
          plan.ignoreIndex(), scene.label().uri(), scene.image().uri() + " (prediction)", core);
    }
    return new MaskTile(task.scene(), tile.index(), deflate(mask, deflater), classes != null, confusion);
  }

  private static byte[] deflate(byte[] data, Deflater deflater) {
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

  private GeoTiffFile open(Map<String, GeoTiffFile> files, String uri) {
    return files.computeIfAbsent(uri, u -> GeoTiffFile.open(u, hadoop.get()));
  }
}
