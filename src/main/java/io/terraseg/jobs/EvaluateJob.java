package io.terraseg.jobs;

import io.terraseg.TerraSegException;
import io.terraseg.metrics.ConfusionMatrix;
import io.terraseg.metrics.LabelCounting;
import io.terraseg.metrics.SegmentationMetrics;
import io.terraseg.plan.InputPaths;
import io.terraseg.plan.LabelRasters;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.raster.HadoopConf;
import io.terraseg.raster.MaskFormat;
import io.terraseg.raster.RasterInfo;
import io.terraseg.report.Reports;
import io.terraseg.tiling.Tile;
import io.terraseg.tiling.TileGrid;
import io.terraseg.write.OutputDir;
import java.awt.Rectangle;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
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
 * evaluate: existing prediction rasters against label rasters. One prediction file and one label
 * file are compared whatever their names; otherwise they are matched by scene name. Executors read
 * the headers, then count runs of blocks into per-scene confusion matrices (each task opens each
 * file once); the driver merges them and writes the reports.
 */
public final class EvaluateJob {
  private static final Logger LOG = LoggerFactory.getLogger("io.terraseg.progress");

  /** Counting blocks: big enough to amortize a read, small enough to spread a scene over tasks. */
  private static final int BLOCK = 1024;

  private static final int BLOCKS_PER_TASK = 16;

  public record Options(
      List<String> predictions,
      List<String> labels,
      List<String> classNames,
      Integer ignoreIndex,
      String output) {}

  private record Pair(String name, RasterInfo prediction, RasterInfo label)
      implements Serializable {}

  private record BlockRange(int pair, int from, int to) implements Serializable {}

  private EvaluateJob() {}

  public static SegmentationMetrics run(SparkSession spark, Options options) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = jsc.hadoopConfiguration();
    Map<String, String[]> named = pairByName(options, hadoop);
    HadoopConf conf = new HadoopConf(hadoop);
    List<String[]> files = new ArrayList<>(named.values());
    List<String> names = new ArrayList<>(named.keySet());
    List<Pair> pairs =
        jsc.parallelize(
                IntStream.range(0, files.size()).boxed().toList(),
                Math.max(1, Math.min(files.size(), jsc.defaultParallelism() * 4)))
            .map(
                i -> {
                  RasterInfo prediction = GeoTiffFile.readInfo(files.get(i)[0], conf.get());
                  LabelRasters.requireClassIds(prediction);
                  RasterInfo label =
                      LabelRasters.check(
                          GeoTiffFile.readInfo(files.get(i)[1], conf.get()), prediction);
                  return new Pair(names.get(i), prediction, label);
                })
            .collect();
    try (OutputDir out = OutputDir.open(options.output(), hadoop)) {
      List<List<BlockRange>> partitions = new ArrayList<>();
      for (int p = 0; p < pairs.size(); p++) {
        RasterInfo info = pairs.get(p).prediction();
        int blocks = new TileGrid(info.width(), info.height(), BLOCK, 0).size();
        for (int from = 0; from < blocks; from += BLOCKS_PER_TASK) {
          partitions.add(
              List.of(new BlockRange(p, from, Math.min(blocks, from + BLOCKS_PER_TASK))));
        }
      }
      int k = options.classNames().size();
      Integer ignore = options.ignoreIndex();
      TreeMap<Integer, ConfusionMatrix> perPair =
          jsc.parallelize(partitions, partitions.size())
              .flatMap(List::iterator)
              .mapPartitions(
                  (Iterator<BlockRange> ranges) ->
                      List.of(count(ranges, pairs, k, ignore, conf)).iterator())
              .aggregate(
                  new TreeMap<Integer, ConfusionMatrix>(), EvaluateJob::merge, EvaluateJob::merge);
      Map<String, ConfusionMatrix> byScene = new LinkedHashMap<>();
      IntStream.range(0, pairs.size())
          .forEach(
              i ->
                  byScene.put(
                      pairs.get(i).name(), perPair.getOrDefault(i, new ConfusionMatrix(k))));
      SegmentationMetrics overall = Reports.writeMetrics(out, options.classNames(), byScene);
      out.commit(true);
      LOG.info(
          "evaluate: {} scene(s), mIoU {}, metrics in {}",
          pairs.size(),
          overall.miou(),
          out.path(Reports.METRICS_JSON));
      return overall;
    }
  }

  /**
   * Scene name → {prediction, label}. A single prediction file and a single label file form one
   * pair whatever their names; otherwise names are matched and every unmatched name is reported.
   */
  private static Map<String, String[]> pairByName(Options options, Configuration hadoop) {
    if (InputPaths.isSingleFile(options.predictions(), hadoop)
        && InputPaths.isSingleFile(options.labels(), hadoop)) {
      String prediction = options.predictions().get(0);
      return Map.of(
          InputPaths.sceneName(prediction), new String[] {prediction, options.labels().get(0)});
    }
    Map<String, String> predictions =
        InputPaths.resolve(options.predictions(), hadoop, "prediction");
    Map<String, String> labels = InputPaths.resolve(options.labels(), hadoop, "label");
    Map<String, String[]> pairs = new LinkedHashMap<>();
    predictions.forEach(
        (name, uri) -> {
          if (labels.containsKey(name)) {
            pairs.put(name, new String[] {uri, labels.get(name)});
          }
        });
    List<String> noLabel =
        predictions.keySet().stream().filter(n -> !labels.containsKey(n)).toList();
    List<String> noPrediction =
        labels.keySet().stream().filter(n -> !predictions.containsKey(n)).toList();
    if (pairs.isEmpty()) {
      throw new TerraSegException(
          String.join(" ", options.labels())
              + ": no label raster matches a prediction by "
              + "scene name (predictions: "
              + String.join(", ", noLabel)
              + "; labels: "
              + String.join(", ", noPrediction)
              + ")");
    }
    if (!noLabel.isEmpty()) {
      LOG.warn(
          "evaluate: no label raster for prediction(s) {}: skipped", String.join(", ", noLabel));
    }
    if (!noPrediction.isEmpty()) {
      LOG.warn(
          "evaluate: no prediction for label raster(s) {}: skipped",
          String.join(", ", noPrediction));
    }
    return pairs;
  }

  /** Counts a task's block ranges, keeping the current pair's two files open across its blocks. */
  private static TreeMap<Integer, ConfusionMatrix> count(
      Iterator<BlockRange> ranges, List<Pair> pairs, int k, Integer ignore, HadoopConf conf) {
    TreeMap<Integer, ConfusionMatrix> counts = new TreeMap<>();
    int open = -1;
    GeoTiffFile prediction = null;
    GeoTiffFile label = null;
    // One block's prediction and label samples, reused from block to block.
    int[] predicted = new int[BLOCK * BLOCK];
    int[] labels = new int[BLOCK * BLOCK];
    try {
      while (ranges.hasNext()) {
        BlockRange range = ranges.next();
        Pair pair = pairs.get(range.pair());
        if (range.pair() != open) {
          closeAll(prediction, label);
          prediction = GeoTiffFile.open(pair.prediction().uri(), conf.get());
          label = GeoTiffFile.open(pair.label().uri(), conf.get());
          open = range.pair();
        }
        ConfusionMatrix cm = counts.computeIfAbsent(range.pair(), i -> new ConfusionMatrix(k));
        TileGrid grid =
            new TileGrid(pair.prediction().width(), pair.prediction().height(), BLOCK, 0);
        for (int b = range.from(); b < range.to(); b++) {
          Tile block = grid.tile(b);
          countBlock(cm, pair, prediction, label, block.core(), ignore, predicted, labels);
        }
      }
    } finally {
      closeAll(prediction, label);
    }
    return counts;
  }

  private static void countBlock(
      ConfusionMatrix cm,
      Pair pair,
      GeoTiffFile prediction,
      GeoTiffFile label,
      Rectangle core,
      Integer ignore,
      int[] predicted,
      int[] labels) {
    int n = core.width * core.height;
    prediction.readBand(core, 0, predicted);
    label.readBand(core, 0, labels);
    Double predictionNodata = pair.prediction().nodata();
    if (predictionNodata != null && predictionNodata != MaskFormat.NODATA) {
      int nodata = (int) Math.round(predictionNodata);
      for (int i = 0; i < n; i++) {
        if (predicted[i] == nodata) {
          predicted[i] = MaskFormat.NODATA;
        }
      }
    }
    LabelCounting.count(
        cm,
        labels,
        predicted,
        n,
        pair.label().nodata(),
        ignore,
        pair.label().uri(),
        pair.prediction().uri(),
        core);
  }

  private static void closeAll(GeoTiffFile... files) {
    for (GeoTiffFile f : files) {
      if (f != null) {
        f.close();
      }
    }
  }

  private static TreeMap<Integer, ConfusionMatrix> merge(
      TreeMap<Integer, ConfusionMatrix> a, TreeMap<Integer, ConfusionMatrix> b) {
    b.forEach((i, cm) -> a.computeIfAbsent(i, x -> new ConfusionMatrix(cm.numClasses())).merge(cm));
    return a;
  }
}
