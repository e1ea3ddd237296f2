package io.terraseg.jobs;

import io.terraseg.TerraSegException;
import io.terraseg.inference.Devices;
import io.terraseg.metrics.ConfusionMatrix;
import io.terraseg.model.ModelCache;
import io.terraseg.model.ModelSpec;
import io.terraseg.model.SegmentationModel;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.raster.HadoopConf;
import io.terraseg.raster.RasterInfo;
import io.terraseg.stitch.MaskTiffWriter;
import io.terraseg.tiling.Tile;
import io.terraseg.tiling.TileGrid;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * segment: scenes → tiles → model → one georeferenced mask per scene (+ metrics when labels are given).
 *
 * <p>The driver reads headers and model.json, plans tiles and streams finished mask tiles into files; it never
 * decodes a pixel. Tasks read their own windows, predict, and return compressed mask tiles, which are cached
 * (memory, spilling to disk) between the predicting pass and the stitching pass.
 */
public final class SegmentJob {
  private static final Logger LOG = LoggerFactory.getLogger("io.terraseg.progress");
  static final int DEFAULT_TILE = 512;
  static final int DEFAULT_OVERLAP = 64;
  private static final int TILES_PER_PARTITION = 32;

  /**
   * @param tile tile size, null = model.json's, else 512
   * @param overlap null = model.json's, else 64
   * @param labels label rasters to evaluate against (matched to inputs by scene name); empty = no evaluation
   */
  public record Options(Path modelDir, List<String> inputs, String output, Integer tile, Integer overlap,
      int batch, List<String> labels, Integer ignoreIndex) {}

  private SegmentJob() {}

  public static RunSummary run(SparkSession spark, Options options) {
    long start = System.nanoTime();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = jsc.hadoopConfiguration();
    if (options.batch() < 1) {
      throw new TerraSegException("--batch must be at least 1; got " + options.batch());
    }
    SparkConf conf = jsc.getConf();
    int threads = Spark.threadsPerTask(conf);
    Devices.limitThreads(threads);
    ModelSpec spec = ModelSpec.read(options.modelDir());
    int tileSize = options.tile() != null ? options.tile() : spec.tile() != null ? spec.tile().size() : DEFAULT_TILE;
    int overlap = options.overlap() != null ? options.overlap()
        : spec.tile() != null ? spec.tile().overlap() : DEFAULT_OVERLAP;
    new TileGrid(tileSize, tileSize, tileSize, overlap); // rejects a bad tile/overlap before any I/O

    List<Scene> scenes = planScenes(options, hadoop, spec, tileSize, overlap);
    SegmentationModel model = ModelCache.get(options.modelDir(), Devices.forCurrentTask());
    model.check(tileSize, options.batch());

    try (OutputDir out = OutputDir.open(options.output(), hadoop)) {
      String modelDir = localModelDir(jsc, options.modelDir());
      SegmentPlan plan = new SegmentPlan(scenes, modelDir, spec.numClasses(), tileSize, options.batch(),
          options.ignoreIndex(), threads);
      List<TileTask> tasks = new ArrayList<>();
      for (int s = 0; s < scenes.size(); s++) {
        for (Tile tile : scenes.get(s).grid().tiles()) {
          tasks.add(new TileTask(s, tile));
        }
      }
      List<List<TileTask>> partitions = partition(tasks, options.batch(), jsc.defaultParallelism());
      TaskTimes times = TaskTimes.register(jsc);
      JavaRDD<MaskTile> masks = jsc.parallelize(partitions, partitions.size())
          .flatMap(List::iterator)
          .mapPartitions(new SegmentPartition(plan, new HadoopConf(hadoop), times))
          .persist(StorageLevel.MEMORY_AND_DISK_SER());
      TileProgress progress = new TileProgress(partitions.stream().mapToInt(List::size).toArray(), 5);
      spark.sparkContext().addSparkListener(progress);
      try {
        LOG.info("segment: {} scene(s), {} tiles of {} px (overlap {}), batch {}, model {} on {}", scenes.size(),
            tasks.size(), tileSize, overlap, options.batch(), spec.name(), model.device());
        jsc.setLocalProperty(TileProgress.JOB_PROPERTY, "true");
        List<long[]> sizes = masks.map(m -> new long[] {m.scene(), m.index(), m.deflated().length,
            m.predicted() ? 1 : 0}).collect();
        jsc.setLocalProperty(TileProgress.JOB_PROPERTY, null);
        long[][] byteCounts = new long[scenes.size()][];
        long[] predicted = new long[scenes.size()];
        for (int s = 0; s < scenes.size(); s++) {
          byteCounts[s] = new long[scenes.get(s).grid().size()];
        }
        for (long[] size : sizes) {
          byteCounts[(int) size[0]][(int) size[1]] = size[2];
          predicted[(int) size[0]] += size[3];
        }
        Map<Integer, ConfusionMatrix> confusions = plan.scenes().stream().anyMatch(s -> s.label() != null)
            ? masks.filter(m -> m.confusion() != null)
                .treeAggregate(new TreeMap<Integer, ConfusionMatrix>(), SegmentJob::addTile, SegmentJob::mergeAll)
            : Map.of();
        stitch(masks.toLocalIterator(), scenes, byteCounts, spec, out);
        double seconds = (System.nanoTime() - start) / 1e9;
        RunSummary summary = RunSummary.of(spec, options, tileSize, overlap, conf.get("spark.master"), scenes,
            predicted, out, seconds, times);
        if (!confusions.isEmpty()) {
          Reports.writeMetrics(out, spec.classNames(), named(scenes, confusions));
        }
        out.write("run.json", summary.toJson());
        out.commit();
        LOG.info("segment: wrote {} mask(s) to {} in {}s ({} tiles/s)", scenes.size(), options.output(),
            String.format(java.util.Locale.ROOT, "%.1f", seconds),
            String.format(java.util.Locale.ROOT, "%.2f", summary.tilesPerSecond()));
        return summary;
      } finally {
        spark.sparkContext().removeSparkListener(progress);
        masks.unpersist(false);
      }
    }
  }

  private static List<Scene> planScenes(Options options, Configuration hadoop, ModelSpec spec, int tileSize,
      int overlap) {
    Map<String, String> images = InputPaths.resolve(options.inputs(), hadoop, "input");
    Map<String, String> labels = options.labels() == null || options.labels().isEmpty()
        ? Map.of() : InputPaths.resolve(options.labels(), hadoop, "label");
    if (!labels.isEmpty() && images.keySet().stream().noneMatch(labels::containsKey)) {
      throw new TerraSegException(String.join(" ", options.labels()) + ": no label raster matches an input scene "
          + "by name (inputs: " + String.join(", ", images.keySet()) + ")");
    }
    List<Scene> scenes = new ArrayList<>();
    for (Map.Entry<String, String> e : images.entrySet()) {
      // Only a scene compared with labels needs its CRS decoded.
      RasterInfo image = labels.containsKey(e.getKey())
          ? GeoTiffFile.readInfo(e.getValue(), hadoop) : GeoTiffFile.readLayout(e.getValue(), hadoop);
      RasterInfo label = labels.containsKey(e.getKey())
          ? LabelRasters.check(GeoTiffFile.readInfo(labels.get(e.getKey()), hadoop), image) : null;
      if (!labels.isEmpty() && label == null) {
        LOG.warn("segment: no label raster for scene {}: it is segmented but not evaluated", e.getKey());
      }
      Scene scene = new Scene(e.getKey(), image, label, new TileGrid(image.width(), image.height(), tileSize, overlap));
      requireBands(scene, spec.input().bands());
      scenes.add(scene);
    }
    return scenes;
  }

  private static void requireBands(Scene scene, int[] bands) {
    for (int band : bands) {
      if (band > scene.image().bands()) {
        throw new TerraSegException(scene.image().uri() + ": has " + scene.image().bands()
            + " band(s); model.json asks for band " + band);
      }
    }
  }

  /**
   * Local runs read the model where it is; on a cluster it is shipped once per executor with addFile (the
   * executors need no access to the driver's disk and nothing is downloaded from elsewhere).
   */
  private static String localModelDir(JavaSparkContext jsc, Path modelDir) {
    if (jsc.master().startsWith("local")) {
      return modelDir.toAbsolutePath().toString();
    }
    jsc.sc().addFile(modelDir.toAbsolutePath().toUri().toString(), true);
    return SegmentPlan.SHIPPED + modelDir.toAbsolutePath().getFileName();
  }

  private static void stitch(Iterator<MaskTile> tiles, List<Scene> scenes, long[][] byteCounts, ModelSpec spec,
      OutputDir out) {
    int[] palette = new int[256];
    spec.classes().forEach(c -> palette[c.id()] = c.rgb());
    MaskTiffWriter writer = null;
    int current = -1;
    try {
      while (tiles.hasNext()) {
        MaskTile tile = tiles.next();
        if (tile.scene() != current) {
          if (writer != null) {
            writer.close();
          }
          current = tile.scene();
          Scene scene = scenes.get(current);
          OutputStream stream = out.create(scene.maskName());
          writer = new MaskTiffWriter(stream, scene.image().width(), scene.image().height(), scene.grid().stride(),
              byteCounts[current], palette, scene.image().geoTags());
        }
        writer.writeTile(tile.deflated());
      }
      if (writer != null) {
        writer.close();
      }
    } catch (IOException e) {
      throw new TerraSegException(out.path(scenes.get(Math.max(current, 0)).maskName()) + ": cannot write ("
          + TerraSegException.describe(e) + ")", e);
    }
  }

  private static TreeMap<Integer, ConfusionMatrix> addTile(TreeMap<Integer, ConfusionMatrix> acc, MaskTile tile) {
    acc.computeIfAbsent(tile.scene(), k -> new ConfusionMatrix(tile.confusion().numClasses()))
        .merge(tile.confusion());
    return acc;
  }

  private static TreeMap<Integer, ConfusionMatrix> mergeAll(TreeMap<Integer, ConfusionMatrix> a,
      TreeMap<Integer, ConfusionMatrix> b) {
    b.forEach((scene, cm) -> a.computeIfAbsent(scene, k -> new ConfusionMatrix(cm.numClasses())).merge(cm));
    return a;
  }

  private static Map<String, ConfusionMatrix> named(List<Scene> scenes, Map<Integer, ConfusionMatrix> byIndex) {
    Map<String, ConfusionMatrix> named = new LinkedHashMap<>();
    byIndex.forEach((index, cm) -> named.put(scenes.get(index).name(), cm));
    return named;
  }

  /**
   * Consecutive runs of tiles, one per Spark partition: whole batches (a partial batch is a new input shape,
   * which TorchScript re-optimizes for), about TILES_PER_PARTITION tiles so progress and load balance stay
   * fine-grained, and at least one partition per task slot.
   */
  static List<List<TileTask>> partition(List<TileTask> tasks, int batch, int slots) {
    int batches = (tasks.size() + batch - 1) / batch;
    int perPartition = Math.max(1, Math.min(Math.max(1, TILES_PER_PARTITION / batch), batches / Math.max(1, slots)));
    int size = perPartition * batch;
    List<List<TileTask>> partitions = new ArrayList<>();
    for (int from = 0; from < tasks.size(); from += size) {
      partitions.add(new ArrayList<>(tasks.subList(from, Math.min(tasks.size(), from + size))));
    }
    return partitions;
  }

}
