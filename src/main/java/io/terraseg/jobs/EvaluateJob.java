package io.terraseg.jobs;

import io.terraseg.TerraSegException;
import io.terraseg.metrics.ConfusionMatrix;
import io.terraseg.metrics.SegmentationMetrics;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.raster.HadoopConf;
import io.terraseg.raster.RasterInfo;
import io.terraseg.stitch.MaskTiffWriter;
import io.terraseg.tiling.Tile;
import io.terraseg.tiling.TileGrid;
import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * evaluate: existing prediction rasters against label rasters, matched by scene name. Each task counts the
 * pixels of its blocks into per-scene confusion matrices; treeAggregate merges them; the driver writes the
 * reports.
 */
public final class EvaluateJob {
  private static final Logger LOG = LoggerFactory.getLogger("io.terraseg.progress");
  /** Counting blocks: big enough to amortize opening the files, small enough to spread the work. */
  private static final int BLOCK = 1024;

  public record Options(List<String> predictions, List<String> labels, List<String> classNames, Integer ignoreIndex,
      String output) {}

  private record Pair(String name, RasterInfo prediction, RasterInfo label) implements java.io.Serializable {}

  private record Block(int pair, Rectangle core) implements java.io.Serializable {}

  private EvaluateJob() {}

  public static SegmentationMetrics run(SparkSession spark, Options options) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = jsc.hadoopConfiguration();
    Map<String, String> predictions = InputPaths.resolve(options.predictions(), hadoop, "prediction");
    Map<String, String> labels = InputPaths.resolve(options.labels(), hadoop, "label");
    List<Pair> pairs = new ArrayList<>();
    for (Map.Entry<String, String> e : predictions.entrySet()) {
      if (!labels.containsKey(e.getKey())) {
        LOG.warn("evaluate: no label raster for {}: skipped", e.getValue());
        continue;
      }
      RasterInfo prediction = GeoTiffFile.readInfo(e.getValue(), hadoop);
      LabelRasters.requireClassIds(prediction);
      RasterInfo label = LabelRasters.check(GeoTiffFile.readInfo(labels.get(e.getKey()), hadoop), prediction);
      pairs.add(new Pair(e.getKey(), prediction, label));
    }
    if (pairs.isEmpty()) {
      throw new TerraSegException(String.join(" ", options.labels()) + ": no label raster matches a prediction by "
          + "scene name (predictions: " + String.join(", ", predictions.keySet()) + ")");
    }
    try (OutputDir out = OutputDir.open(options.output(), hadoop)) {
      List<Block> blocks = new ArrayList<>();
      for (int p = 0; p < pairs.size(); p++) {
        RasterInfo info = pairs.get(p).prediction();
        for (Tile tile : new TileGrid(info.width(), info.height(), BLOCK, 0).tiles()) {
          blocks.add(new Block(p, tile.core()));
        }
      }
      int k = options.classNames().size();
      Integer ignore = options.ignoreIndex();
      HadoopConf conf = new HadoopConf(hadoop);
      TreeMap<Integer, ConfusionMatrix> perPair = jsc.parallelize(blocks, Math.min(blocks.size(),
              Math.max(jsc.defaultParallelism(), blocks.size() / 16)))
          .treeAggregate(new TreeMap<Integer, ConfusionMatrix>(),
              (acc, block) -> {
                Pair pair = pairs.get(block.pair());
                count(acc.computeIfAbsent(block.pair(), i -> new ConfusionMatrix(k)), pair, block.core(), ignore,
                    conf);
                return acc;
              },
              (a, b) -> {
                b.forEach((i, cm) -> a.computeIfAbsent(i, x -> new ConfusionMatrix(k)).merge(cm));
                return a;
              });
      Map<String, ConfusionMatrix> named = new LinkedHashMap<>();
      IntStream.range(0, pairs.size()).forEach(i ->
          named.put(pairs.get(i).name(), perPair.getOrDefault(i, new ConfusionMatrix(k))));
      SegmentationMetrics overall = Reports.writeMetrics(out, options.classNames(), named);
      out.commit();
      LOG.info("evaluate: {} scene(s), mIoU {}, metrics in {}", pairs.size(), overall.miou(),
          out.path(Reports.METRICS_JSON));
      return overall;
    }
  }

  /** Opens both files per block: blocks are large, and a task may hold blocks of many scenes. */
  private static void count(ConfusionMatrix cm, Pair pair, Rectangle core, Integer ignore, HadoopConf conf) {
    try (GeoTiffFile prediction = GeoTiffFile.open(pair.prediction().uri(), conf.get());
        GeoTiffFile label = GeoTiffFile.open(pair.label().uri(), conf.get())) {
      int n = core.width * core.height;
      int[] predicted = prediction.readWindow(core).getSamples(0, 0, core.width, core.height, 0, (int[]) null);
      int[] labels = label.readWindow(core).getSamples(0, 0, core.width, core.height, 0, (int[]) null);
      Double predictionNodata = pair.prediction().nodata();
      if (predictionNodata != null && predictionNodata != MaskTiffWriter.NODATA) {
        int nodata = (int) Math.round(predictionNodata);
        for (int i = 0; i < n; i++) {
          if (predicted[i] == nodata) {
            predicted[i] = MaskTiffWriter.NODATA;
          }
        }
      }
      LabelCounting.count(cm, labels, predicted, n, pair.label().nodata(), ignore, pair.label().uri(),
          pair.prediction().uri(), core);
    }
  }
}
