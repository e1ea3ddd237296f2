package io.terraseg.predict;

import ai.djl.translate.TranslateException;
import io.terraseg.TerraSegException;
import io.terraseg.metrics.ConfusionMatrix;
import io.terraseg.metrics.LabelCounting;
import io.terraseg.model.EnsemblePredictor;
import io.terraseg.model.SegmentationModel;
import io.terraseg.model.TileBatch;
import io.terraseg.plan.Scene;
import io.terraseg.plan.SegmentPlan;
import io.terraseg.plan.TileRange;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.raster.MaskFormat;
import io.terraseg.raster.PixelArea;
import io.terraseg.tiling.Tile;
import io.terraseg.write.MaskPart;
import io.terraseg.write.TileCodec;
import java.awt.Rectangle;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;

/**
 * The executor side of predicting: for one tile range, read each window straight from storage (one
 * batch ahead, on a thread of its own), run the models in batches (the JVM's shared models, this
 * task's own predictor, with the run's test-time augmentation and ensemble), then keep each core,
 * compress it as one mask tile and count it against the labels (one batch behind, on a thread of
 * its own). Three stages at once, so the model waits neither for windows nor for compression.
 * Memory is two batches of input (one buffer per distinct model input in each), one batch of
 * predictions, the image's and labels' block caches ({@link ReadOrder} sizes them from the tile
 * size and bands) and the range's compressed tiles, whatever the scene. Not thread-safe: one per
 * task.
 */
public final class RangePredictor implements AutoCloseable {
  private final SegmentPlan plan;
  private final Configuration conf;
  private final EnsemblePredictor predictor;
  private final WindowSampler sampler;

  /** Channels of each distinct model input. */
  private final int[] channels;

  /** Two batch buffers: the model runs on one while the read-ahead fills the other. */
  private final Batch[] buffers = new Batch[2];

  /**
   * Reads the next batch while the model runs the current one, so the model (a GPU above all) does
   * not wait for windows to be decoded and normalized. One batch ahead, no more: memory is two
   * batches of input, whatever the scene.
   */
  private final ExecutorService readAhead = daemonThread("terraseg-read-ahead");

  private static ExecutorService daemonThread(String name) {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread thread = new Thread(r, name);
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * Cuts, counts and compresses each batch's tiles while the model runs the next one: compressing a
   * noisy mask costs more per tile than a GPU's forward pass. One batch behind, no more.
   */
  private final ExecutorService maskBehind = daemonThread("terraseg-mask");

  private final Cores cores = new Cores();

  /** Used by the mask thread only. */
  private final TileCodec codec = new TileCodec();

  /** The compressed probability tile of a skipped tile (all 0), for the current stride. */
  private NoProbabilities noProbabilities;

  private record NoProbabilities(int stride, byte[] tile) {}

  /**
   * The current range's pixels and area of each class, and the scene's pixel area (or null): the
   * mask thread's.
   */
  private long[] classPixels;

  private double[] classAreas;
  private PixelArea pixelArea;
  private String pixelAreaOf;
  private final long[] rowPixels = new long[MaskFormat.MAX_CLASSES];

  /** A core's predicted and true classes, for counting; reused from tile to tile. */
  private int[] predictions = new int[0];

  private int[] labels = new int[0];

  /** The image is read on the read-ahead thread, labels on the task's: hence concurrent. */
  private final Map<String, GeoTiffFile> files = new ConcurrentHashMap<>();

  private long readNanos;
  private long modelNanos;
  private long maskNanos;

  /** {@code models}: the plan's models, in its order, loaded on this task's device. */
  public RangePredictor(SegmentPlan plan, List<SegmentationModel> models, Configuration conf) {
    this.plan = plan;
    this.conf = conf;
    this.predictor = new EnsemblePredictor(models, plan.inference());
    int t = plan.tileSize();
    this.sampler = new WindowSampler(predictor.inputs(), t);
    this.channels = new int[predictor.inputs().size()];
    Arrays.setAll(channels, sampler::channels);
    for (int i = 0; i < buffers.length; i++) {
      buffers[i] = Batch.take(plan.batch(), channels, t);
    }
    NativeMemory.taskStarted();
  }

  /**
   * One batch of a range being predicted: the windows with data, normalized into {@code inputs}
   * (one per distinct model input), with their positions in the grid's reading order, and the
   * positions before, between and after them whose windows hold no data at all (their mask tiles
   * are nodata without a forward pass). {@code next} is the range's first position not yet read.
   */
  private static final class Batch {
    final float[][] inputs;
    final boolean[][] valid;
    final int[] positions;
    final List<Integer> empty = new ArrayList<>();
    int count;
    int next;
    long readNanos;

    /**
     * Buffers of finished tasks, for the next ones: allocated per task, tens of MB of input buffers
     * became old-generation garbage at the end of every task, and the heap grew with the number of
     * tasks a run took (see BlockBuffers).
     */
    private static final Queue<Batch> SPARE = new ConcurrentLinkedQueue<>();

    private static final int MAX_SPARE = 8;

    Batch(int size, int[] channels, int tileSize) {
      inputs = new float[channels.length][];
      Arrays.setAll(inputs, i -> new float[size * channels[i] * tileSize * tileSize]);
      valid = new boolean[size][tileSize * tileSize];
      positions = new int[size];
    }

    static Batch take(int size, int[] channels, int tileSize) {
      for (Batch spare : SPARE) {
        if (spare.fits(size, channels, tileSize) && SPARE.remove(spare)) {
          return spare;
        }
      }
      return new Batch(size, channels, tileSize);
    }

    private boolean fits(int size, int[] channels, int tileSize) {
      if (positions.length != size
          || valid[0].length != tileSize * tileSize
          || inputs.length != channels.length) {
        return false;
      }
      for (int i = 0; i < channels.length; i++) {
        if (inputs[i].length != size * channels[i] * tileSize * tileSize) {
          return false;
        }
      }
      return true;
    }

    void giveBack() {
      empty.clear();
      if (SPARE.size() < MAX_SPARE) {
        SPARE.add(this);
      }
    }
  }

  /** The range's mask tiles, in the grid's reading order, with its counts. */
  public MaskPart predict(TileRange range) {
    Scene scene = range.scene();
    closeFilesOtherThan(scene);
    // Before the first read: the cache fits the grid's reading order (see ReadOrder).
    open(scene.image().uri(), ReadOrder.imageCacheBytes(scene.image(), scene.grid()));
    byte[][] tiles = new byte[range.size()][];
    byte[][] probabilities = plan.products().probabilities() ? new byte[range.size()][] : null;
    ConfusionMatrix confusion =
        scene.label() == null ? null : new ConfusionMatrix(plan.numClasses());
    classPixels = new long[plan.numClasses()];
    long predicted = 0;
    int slot = 0;
    Future<Batch> reading = readAhead.submit(() -> read(range, range.from(), buffers[0]));
    // The mask thread's first job, while it would wait for the first batch anyway.
    Future<?> masking = maskBehind.submit(() -> pixelAreas(scene));
    try {
      while (reading != null) {
        Batch batch = await(reading);
        readNanos += batch.readNanos;
        slot = 1 - slot;
        Batch other = buffers[slot];
        reading =
            batch.next < range.to() ? readAhead.submit(() -> read(range, batch.next, other)) : null;
        EnsemblePredictor.Prediction prediction =
            batch.count == 0 ? null : runModels(range, batch, probabilities != null);
        if (batch.count > 0) {
          predicted += batch.count;
          // Freed activations back to the system when the arenas keep them (NativeMemory says why).
          NativeMemory.trimIfGrown();
        }
        // The previous batch's tiles are done before this batch's cores take their place.
        await(masking);
        cores.take(batch, prediction);
        masking = maskBehind.submit(() -> cutCores(range, tiles, probabilities, confusion));
      }
      await(masking);
      masking = null;
    } finally {
      // A failure leaves no read running into the buffers or files, and no tile being cut into
      // the counts, that the next range will use.
      awaitQuietly(reading);
      awaitQuietly(masking);
    }
    long[] sizes = new long[tiles.length];
    long[] probabilitySizes = probabilities == null ? null : new long[tiles.length];
    return new MaskPart(
        range,
        sizes,
        concatenate(tiles, sizes),
        predicted,
        confusion,
        classPixels,
        classAreas,
        probabilitySizes,
        probabilities == null ? null : concatenate(probabilities, probabilitySizes));
  }

  /** The tiles back to back, their sizes into {@code sizes}. */
  private static byte[] concatenate(byte[][] tiles, long[] sizes) {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    for (int i = 0; i < tiles.length; i++) {
      sizes[i] = tiles[i].length;
      data.writeBytes(tiles[i]);
    }
    return data.toByteArray();
  }

  /**
   * On the mask thread, before the range's first tiles: the scene's pixel areas, once per task and
   * scene. Decoding the CRS (only when the GeoKeys do not give metres) starts GeoTools' EPSG
   * database the first time in a JVM, ~1.5 s, which here overlaps the first reads and the model's
   * first batch instead of preceding them. The CRS comes from a header opened for it: the image's
   * own reader belongs to the read-ahead.
   */
  private void pixelAreas(Scene scene) {
    String uri = scene.image().uri();
    if (!uri.equals(pixelAreaOf)) {
      pixelArea =
          PixelArea.of(
              scene.image().geoTags(),
              scene.image().geoTransform(),
              () -> GeoTiffFile.readCrs(uri, conf));
      pixelAreaOf = uri;
    }
    classAreas = pixelArea == null ? null : new double[plan.numClasses()];
  }

  /** On the read-ahead thread: fills {@code batch} from tile {@code from} of the range on. */
  private Batch read(TileRange range, int from, Batch batch) {
    long start = System.nanoTime();
    Scene scene = range.scene();
    GeoTiffFile image = files.get(scene.image().uri());
    batch.count = 0;
    batch.empty.clear();
    int position = from;
    for (; position < range.to() && batch.count < batch.positions.length; position++) {
      Tile tile = scene.grid().tileAt(position);
      int n = batch.count;
      if (sampler.sample(
          image, tile.window(), scene.image().nodata(), batch.inputs, n, batch.valid[n])) {
        batch.positions[batch.count++] = position;
      } else {
        batch.empty.add(position);
      }
    }
    batch.next = position;
    batch.readNanos = System.nanoTime() - start;
    return batch;
  }

  /** What {@code work} gave (null for none), its failure thrown as it was. */
  private static <T> T await(Future<T> work) {
    if (work == null) {
      return null;
    }
    try {
      return work.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error cause) {
        throw cause;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading windows or cutting tiles", e);
    }
  }

  private static void awaitQuietly(Future<?> work) {
    if (work == null) {
      return;
    }
    try {
      work.get();
    } catch (ExecutionException | CancellationException ignored) {
      // The failure being thrown already says what went wrong.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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

  /** On the task's thread: the models' class ids (and probabilities) for the batch's windows. */
  private EnsemblePredictor.Prediction runModels(
      TileRange range, Batch batch, boolean withProbabilities) {
    int t = plan.tileSize();
    long start = System.nanoTime();
    List<TileBatch> inputs = new ArrayList<>(channels.length);
    for (int i = 0; i < channels.length; i++) {
      inputs.add(new TileBatch(batch.inputs[i], batch.count, channels[i], t));
    }
    try {
      return predictor.predict(inputs, withProbabilities);
    } catch (TranslateException e) {
      throw new TerraSegException(
          range.scene().image().uri()
              + ": the model failed on a batch ("
              + TerraSegException.describe(e)
              + ")",
          e);
    } finally {
      modelNanos += System.nanoTime() - start;
    }
  }

  /**
   * A batch's predictions and what of its input the tiles need, held for the mask thread: the
   * batch's own buffer is refilled by the read-ahead while its tiles are still being cut.
   */
  private static final class Cores {
    boolean[][] valid = new boolean[0][];
    int[] positions = new int[0];
    final List<Integer> empty = new ArrayList<>();
    int count;
    EnsemblePredictor.Prediction prediction;

    void take(Batch batch, EnsemblePredictor.Prediction prediction) {
      if (valid.length < batch.count) {
        valid = Arrays.copyOf(valid, batch.positions.length);
        positions = new int[batch.positions.length];
      }
      for (int i = 0; i < batch.count; i++) {
        if (valid[i] == null) {
          valid[i] = new boolean[batch.valid[i].length];
        }
        System.arraycopy(batch.valid[i], 0, valid[i], 0, valid[i].length);
      }
      System.arraycopy(batch.positions, 0, positions, 0, batch.count);
      empty.clear();
      empty.addAll(batch.empty);
      count = batch.count;
      this.prediction = prediction;
    }
  }

  /**
   * On the mask thread, while the model runs the next batch: cuts, counts and compresses the tiles
   * of {@link #cores}, the skipped ones included. Only this thread touches the range's counts.
   */
  private void cutCores(
      TileRange range, byte[][] tiles, byte[][] probabilityTiles, ConfusionMatrix confusion) {
    long start = System.nanoTime();
    Scene scene = range.scene();
    int t = plan.tileSize();
    for (int position : cores.empty) {
      Tile tile = scene.grid().tileAt(position);
      tiles[position - range.from()] = maskTile(scene, tile, null, null, 0, confusion);
      if (probabilityTiles != null) {
        probabilityTiles[position - range.from()] = probabilityTile(scene, tile, null, null, 0);
      }
    }
    for (int i = 0; i < cores.count; i++) {
      int position = cores.positions[i];
      Tile tile = scene.grid().tileAt(position);
      EnsemblePredictor.Prediction prediction = cores.prediction;
      tiles[position - range.from()] =
          maskTile(scene, tile, prediction.classIds(), cores.valid[i], i * t * t, confusion);
      if (probabilityTiles != null) {
        probabilityTiles[position - range.from()] =
            probabilityTile(scene, tile, prediction.probabilities(), cores.valid[i], i);
      }
    }
    cores.prediction = null;
    maskNanos += System.nanoTime() - start;
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
    countClasses(mask, s, core);
    if (confusion != null) {
      int n = core.width * core.height;
      if (predictions.length < n) {
        predictions = new int[n];
        labels = new int[n];
      }
      for (int y = 0; y < core.height; y++) {
        for (int x = 0; x < core.width; x++) {
          predictions[y * core.width + x] = mask[y * s + x] & 0xFF;
        }
      }
      open(scene.label().uri(), ReadOrder.labelCacheBytes(scene.label(), scene.grid()))
          .readBand(core, 0, labels);
      LabelCounting.count(
          confusion,
          labels,
          predictions,
          n,
          scene.label().nodata(),
          plan.ignoreIndex(),
          scene.label().uri(),
          scene.image().uri() + " (prediction)",
          core);
    }
    return codec.deflate(mask);
  }

  /**
   * The core of a tile's probabilities as one stride × stride internal TIFF tile of K bytes per
   * pixel (pixel-interleaved), DEFLATE-compressed: 0 in every band where the mask is nodata (the
   * input is nodata or the tile was skipped), since the model gave no probabilities there.
   *
   * @param probabilities the batch's N×K×T×T bytes; null for a skipped tile
   * @param n the tile's place in the batch
   */
  private byte[] probabilityTile(
      Scene scene, Tile tile, byte[] probabilities, boolean[] valid, int n) {
    Rectangle core = tile.core();
    int k = plan.numClasses();
    int t = plan.tileSize();
    int s = scene.grid().stride();
    byte[] pixels = new byte[s * s * k];
    if (probabilities == null) {
      // Every skipped tile compresses to the same bytes: compress them once.
      if (noProbabilities == null || noProbabilities.stride != s) {
        noProbabilities = new NoProbabilities(s, codec.deflate(pixels));
      }
      return noProbabilities.tile;
    }
    int dx = core.x - tile.window().x;
    int dy = core.y - tile.window().y;
    int plane = t * t;
    for (int c = 0; c < k; c++) {
      int from = (n * k + c) * plane;
      for (int y = 0; y < core.height; y++) {
        int w = (dy + y) * t + dx;
        for (int x = 0, at = y * s * k + c; x < core.width; x++, at += k) {
          if (valid[w + x]) {
            pixels[at] = probabilities[from + w + x];
          }
        }
      }
    }
    return codec.deflate(pixels);
  }

  /**
   * Adds a core's pixels per class to the range's counts and, row by row (a geographic CRS's pixels
   * shrink towards the poles), their area: areas.csv comes from these, without another pass.
   */
  private void countClasses(byte[] mask, int stride, Rectangle core) {
    int k = classPixels.length;
    for (int y = 0; y < core.height; y++) {
      Arrays.fill(rowPixels, 0, k, 0);
      for (int x = 0, at = y * stride; x < core.width; x++, at++) {
        int c = mask[at] & 0xFF;
        if (c < k) {
          rowPixels[c]++;
        }
      }
      double area = pixelArea == null ? 0 : pixelArea.ofRow(core.y + y);
      for (int c = 0; c < k; c++) {
        classPixels[c] += rowPixels[c];
        if (classAreas != null) {
          classAreas[c] += rowPixels[c] * area;
        }
      }
    }
  }

  /** The same, with its own decoded-block budget when this task first opens it. */
  private GeoTiffFile open(String uri, long cacheBytes) {
    return files.computeIfAbsent(uri, u -> GeoTiffFile.open(u, conf).withBlockCache(cacheBytes));
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
    try {
      release();
    } finally {
      NativeMemory.taskEnded();
    }
  }

  private void release() {
    readAhead.shutdownNow();
    maskBehind.shutdownNow();
    boolean stopped = false;
    try {
      // After a failure the read-ahead may still be filling a buffer, the mask thread still using
      // the codec: wait before handing either on.
      stopped =
          readAhead.awaitTermination(1, TimeUnit.MINUTES)
              && maskBehind.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (stopped) {
      for (Batch batch : buffers) {
        batch.giveBack();
      }
      codec.close();
    }
    files.values().forEach(GeoTiffFile::close);
    files.clear();
    predictor.close();
  }
}
