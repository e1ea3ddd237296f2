package io.terraseg.jobs;

import io.terraseg.TerraSegException;
import io.terraseg.metrics.ConfusionMatrix;
import io.terraseg.model.Ensemble;
import io.terraseg.model.Inference;
import io.terraseg.model.ModelSpec;
import io.terraseg.model.Tta;
import io.terraseg.plan.Fingerprint;
import io.terraseg.plan.InputPaths;
import io.terraseg.plan.Partitions;
import io.terraseg.plan.PlannedScene;
import io.terraseg.plan.Products;
import io.terraseg.plan.Scene;
import io.terraseg.plan.ScenePlanner;
import io.terraseg.plan.SegmentPlan;
import io.terraseg.plan.TileRange;
import io.terraseg.predict.Devices;
import io.terraseg.raster.HadoopConf;
import io.terraseg.report.Reports;
import io.terraseg.report.RunSummary;
import io.terraseg.report.TileProgress;
import io.terraseg.tiling.TileGrid;
import io.terraseg.write.OutputDir;
import io.terraseg.write.SceneResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

/**
 * segment: plan (driver) → predict and write (executors) → report (driver), in two Spark jobs
 * whatever the number of scenes: one reads the headers and checks what is already done, one
 * predicts the tile ranges and commits each scene as soon as its last range is in. The driver only
 * plans and aggregates small per-scene results; it never touches a pixel or a mask byte.
 */
public final class SegmentJob {
  private static final Logger LOG = LoggerFactory.getLogger("io.terraseg.progress");
  static final int DEFAULT_TILE = 512;
  static final int DEFAULT_OVERLAP = 64;

  /**
   * @param modelDirs one model directory, or the models of an ensemble in order
   * @param tile tile size, null = the (first) model.json's, else 512
   * @param overlap null = model.json's, else 64
   * @param batch tiles per forward pass, null = chosen for the executors' device ({@link
   *     Devices#defaultBatch})
   * @param labels label rasters to evaluate against (matched to inputs by scene name); empty = no
   *     evaluation
   * @param force recompute scenes that are already complete
   * @param keepGoing a failing scene does not stop the others (the run still fails at the end)
   * @param tta test-time augmentation, null = none
   * @param ensemble how the models combine, null = mean
   * @param modelWeights one positive weight per model, null or empty = 1 each
   * @param products what to write for each scene besides mask and preview
   */
  public record Options(
      List<Path> modelDirs,
      List<String> inputs,
      String output,
      Integer tile,
      Integer overlap,
      Integer batch,
      List<String> labels,
      Integer ignoreIndex,
      boolean force,
      boolean keepGoing,
      Tta tta,
      Ensemble ensemble,
      List<Double> modelWeights,
      Products products) {
    /** One model, no test-time augmentation. */
    public Options(
        Path modelDir,
        List<String> inputs,
        String output,
        Integer tile,
        Integer overlap,
        Integer batch,
        List<String> labels,
        Integer ignoreIndex,
        boolean force,
        boolean keepGoing) {
      this(
          List.of(modelDir),
          inputs,
          output,
          tile,
          overlap,
          batch,
          labels,
          ignoreIndex,
          force,
          keepGoing,
          null,
          null,
          null,
          Products.MASK);
    }

    public Options(
        Path modelDir,
        List<String> inputs,
        String output,
        Integer tile,
        Integer overlap,
        Integer batch,
        List<String> labels,
        Integer ignoreIndex) {
      this(modelDir, inputs, output, tile, overlap, batch, labels, ignoreIndex, false, false);
    }

    public Options withBatch(int batch) {
      return new Options(
          modelDirs,
          inputs,
          output,
          tile,
          overlap,
          batch,
          labels,
          ignoreIndex,
          force,
          keepGoing,
          tta,
          ensemble,
          modelWeights,
          products);
    }

    public Options withTta(Tta tta) {
      return new Options(
          modelDirs,
          inputs,
          output,
          tile,
          overlap,
          batch,
          labels,
          ignoreIndex,
          force,
          keepGoing,
          tta,
          ensemble,
          modelWeights,
          products);
    }

    /** These models instead, combined by {@code ensemble} with {@code weights}. */
    public Options withModels(List<Path> modelDirs, List<Double> weights, Ensemble ensemble) {
      return new Options(
          modelDirs,
          inputs,
          output,
          tile,
          overlap,
          batch,
          labels,
          ignoreIndex,
          force,
          keepGoing,
          tta,
          ensemble,
          weights,
          products);
    }

    public Options withProducts(Products products) {
      return new Options(
          modelDirs,
          inputs,
          output,
          tile,
          overlap,
          batch,
          labels,
          ignoreIndex,
          force,
          keepGoing,
          tta,
          ensemble,
          modelWeights,
          products);
    }
  }

  private SegmentJob() {}

  public static RunSummary run(SparkSession spark, Options options) {
    long start = System.nanoTime();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = jsc.hadoopConfiguration();
    SparkConf conf = jsc.getConf();
    int threads = Spark.threadsPerTask(conf);
    Devices.limitThreads(threads);
    // After limitThreads: choosing may start the engine, which reads its thread counts once.
    if (options.batch() == null) {
      options =
          options.withBatch(
              Devices.defaultBatch(conf, Spark.isSingleJvm(conf.get("spark.master"))));
    }
    if (options.batch() < 1) {
      throw new TerraSegException("--batch must be at least 1; got " + options.batch());
    }
    List<Path> modelDirs = options.modelDirs();
    if (modelDirs == null || modelDirs.isEmpty()) {
      throw new TerraSegException("--model: a model directory is required");
    }
    Inference inference =
        Inference.of(options.tta(), options.ensemble(), options.modelWeights(), modelDirs.size());
    List<ModelSpec> specs = modelDirs.stream().map(ModelSpec::read).toList();
    requireSameClasses(modelDirs, specs);
    ModelSpec spec = specs.get(0);
    int tileSize =
        options.tile() != null
            ? options.tile()
            : spec.tile() != null ? spec.tile().size() : DEFAULT_TILE;
    int overlap =
        options.overlap() != null
            ? options.overlap()
            : spec.tile() != null ? spec.tile().overlap() : DEFAULT_OVERLAP;
    new TileGrid(
        tileSize, tileSize, tileSize, overlap); // rejects a bad tile/overlap before any I/O

    Map<String, String> images = InputPaths.resolveScenes(options.inputs(), hadoop);
    Map<String, String> labels =
        options.labels() == null || options.labels().isEmpty()
            ? Map.of()
            : InputPaths.resolve(options.labels(), hadoop, "label");
    if (!labels.isEmpty() && images.keySet().stream().noneMatch(labels::containsKey)) {
      throw new TerraSegException(
          String.join(" ", options.labels())
              + ": no label raster matches an input scene "
              + "by name (inputs: "
              + String.join(", ", images.keySet())
              + ")");
    }
    images.keySet().stream()
        .filter(name -> !labels.isEmpty() && !labels.containsKey(name))
        .forEach(
            name ->
                LOG.warn(
                    "segment: no label raster for scene {}: it is segmented but not evaluated",
                    name));

    try (OutputDir out = OutputDir.open(options.output(), hadoop);
        StartUp startUp =
            StartUp.begin(
                modelDirs,
                tileSize,
                images.values(),
                hadoop,
                Spark.isSingleJvm(conf.get("spark.master")))) {
      Fingerprint fingerprint =
          Fingerprint.of(
              modelDirs, inference, tileSize, overlap, options.ignoreIndex(), options.products());
      // Every band any model reads: a scene must have them all.
      int[] bands =
          specs.stream()
              .flatMapToInt(s -> Arrays.stream(s.input().bands()))
              .distinct()
              .sorted()
              .toArray();
      List<PlannedScene> planned =
          ScenePlanner.plan(
              jsc,
              images,
              labels,
              new ScenePlanner.Settings(fingerprint, bands, options.output(), options.force()));
      List<Scene> scenes = new ArrayList<>();
      for (PlannedScene p : planned) {
        if (p.error() != null && !options.keepGoing()) {
          throw new TerraSegException(p.error());
        }
        if (p.scene() != null) {
          scenes.add(p.scene());
        }
      }
      TaskResult tasks = new TaskResult();
      out.beginChanges();
      if (!scenes.isEmpty()) {
        startUp.awaitModelCheck();
        try {
          tasks =
              predictAndWrite(
                  spark,
                  jsc,
                  scenes,
                  specs,
                  inference,
                  options,
                  tileSize,
                  overlap,
                  threads,
                  fingerprint.modelHashes());
        } finally {
          out.removeWork();
        }
      }

      Map<String, SceneResult> results = new HashMap<>();
      for (SceneResult r : tasks.scenes) {
        // Two tasks may both have assembled a scene (same bytes); a failure of any range fails the
        // scene.
        results.merge(r.name(), r, (a, b) -> a.status() == SceneResult.Status.FAILED ? a : b);
      }
      List<SceneResult> all = new ArrayList<>();
      for (PlannedScene p : planned) {
        all.add(
            p.previous() != null
                ? p.previous()
                : p.error() != null
                    ? SceneResult.failed(p.name(), p.image(), p.label(), p.error())
                    : results.getOrDefault(
                        p.name(),
                        SceneResult.failed(
                            p.name(), p.image(), p.label(), p.image() + ": not completed")));
      }
      Map<String, ConfusionMatrix> confusions = new LinkedHashMap<>();
      all.stream()
          .filter(r -> r.status() != SceneResult.Status.FAILED && r.confusionMatrix() != null)
          .forEach(r -> confusions.put(r.name(), r.confusion()));
      if (!confusions.isEmpty()) {
        Reports.writeMetrics(out, spec.classNames(), confusions);
      }
      Reports.writeAreas(out, spec.classNames(), all);
      double seconds = (System.nanoTime() - start) / 1e9;
      RunSummary summary =
          RunSummary.of(
              specs.stream().map(ModelSpec::name).toList(),
              modelDirs.stream().map(Path::toString).toList(),
              inference,
              conf.get("spark.master"),
              tileSize,
              overlap,
              options.batch(),
              all,
              name -> name == null ? null : out.path(name),
              seconds,
              new RunSummary.TaskSeconds(
                  tasks.readNanos / 1e9,
                  tasks.modelNanos / 1e9,
                  tasks.maskNanos / 1e9,
                  tasks.writeNanos / 1e9,
                  tasks.totalNanos / 1e9),
              confusions.isEmpty() ? null : out.path(Reports.METRICS_JSON));
      out.write("run.json", summary.toJson());
      out.commit(summary.failed() == 0);
      LOG.info(
          "segment: {} scene(s) done, {} skipped (complete), {} failed; {} in {}s ({} tiles/s)",
          summary.done(),
          summary.skipped(),
          summary.failed(),
          options.output(),
          String.format(Locale.ROOT, "%.1f", seconds),
          String.format(Locale.ROOT, "%.2f", summary.tilesPerSecond()));
      if (summary.failed() > 0) {
        SceneResult first =
            all.stream().filter(r -> r.status() == SceneResult.Status.FAILED).findFirst().get();
        throw new TerraSegException(
            first.error()
                + (summary.failed() > 1
                    ? " (and "
                        + (summary.failed() - 1)
                        + " more failed scene(s); see "
                        + out.path("run.json")
                        + ")"
                    : ""));
      }
      return summary;
    }
  }

  /**
   * The models of an ensemble must have the same classes, ids and names: a mask's class ids mean
   * one thing.
   */
  private static void requireSameClasses(List<Path> modelDirs, List<ModelSpec> specs) {
    for (int m = 1; m < specs.size(); m++) {
      if (!specs.get(m).classNames().equals(specs.get(0).classNames())) {
        throw new TerraSegException(
            modelDirs.get(0)
                + " and "
                + modelDirs.get(m)
                + ": the models of an ensemble must have the same classes; "
                + specs.get(0).classNames()
                + " vs "
                + specs.get(m).classNames());
      }
    }
  }

  private static TaskResult predictAndWrite(
      SparkSession spark,
      JavaSparkContext jsc,
      List<Scene> scenes,
      List<ModelSpec> specs,
      Inference inference,
      Options options,
      int tileSize,
      int overlap,
      int threads,
      List<String> modelHashes) {
    ModelSpec spec = specs.get(0);
    int[] palette = new int[256];
    spec.classes().forEach(c -> palette[c.id()] = c.rgb());
    List<String> locations = new ArrayList<>();
    for (int m = 0; m < specs.size(); m++) {
      locations.add(modelLocation(jsc, options.modelDirs().get(m), modelHashes.get(m)));
    }
    SegmentPlan plan =
        new SegmentPlan(
            locations,
            inference,
            spec.classNames(),
            palette,
            tileSize,
            options.batch(),
            options.ignoreIndex(),
            threads,
            options.output(),
            options.keepGoing(),
            options.products());
    List<List<TileRange>> partitions =
        Partitions.of(scenes, options.batch(), jsc.defaultParallelism());
    TileProgress progress =
        new TileProgress(partitions.stream().mapToInt(Partitions::tiles).toArray(), 5);
    spark.sparkContext().addSparkListener(progress);
    try {
      String models =
          specs.size() == 1
              ? "model " + spec.name()
              : "models "
                  + specs.stream().map(ModelSpec::name).toList()
                  + " ("
                  + inference.ensemble().name().toLowerCase(Locale.ROOT)
                  + ", weights "
                  + inference.weights()
                  + ")";
      String tta =
          inference.tta() == Tta.NONE
              ? ""
              : ", tta " + inference.tta().name().toLowerCase(Locale.ROOT);
      LOG.info(
          "segment: {} scene(s) to do, {} tiles of {} px (overlap {}), batch {}, {}{}, {} task(s)",
          scenes.size(),
          partitions.stream().mapToInt(Partitions::tiles).sum(),
          tileSize,
          overlap,
          options.batch(),
          models,
          tta,
          partitions.size());
      jsc.setLocalProperty(TileProgress.JOB_PROPERTY, "true");
      TaskResult result =
          jsc.parallelize(partitions, partitions.size())
              .flatMap(List::iterator)
              .mapPartitions(new SegmentTask(plan, new HadoopConf(jsc.hadoopConfiguration())))
              .aggregate(new TaskResult(), TaskResult::merge, TaskResult::merge);
      progress.finish();
      return result;
    } finally {
      jsc.setLocalProperty(TileProgress.JOB_PROPERTY, null);
      spark.sparkContext().removeSparkListener(progress);
    }
  }

  /**
   * Local runs (one JVM) read a model where it is; on a cluster, local-cluster included, each model
   * directory is shipped once per executor as a zip archive that Spark unpacks there (addFile takes
   * no local directories on a cluster), so executors need no access to the driver's disk. The
   * archive is named after the model's hash: a changed model is a new archive.
   */
  private static String modelLocation(JavaSparkContext jsc, Path modelDir, String modelHash) {
    if (Spark.isSingleJvm(jsc.master())) {
      return modelDir.toAbsolutePath().toString();
    }
    String name = "terraseg-model-" + modelHash.substring(0, 16) + ".zip";
    // A driver that runs several jobs (or an ensemble naming a model twice) ships a model once:
    // Spark refuses a second archive of the same name from another path, and the name is the
    // content.
    if (CollectionConverters.asJava(jsc.sc().listArchives()).stream()
        .anyMatch(uri -> uri.endsWith("/" + name))) {
      return SegmentPlan.SHIPPED + name;
    }
    try {
      Path archive = Files.createTempDirectory("terraseg-model").resolve(name);
      archive.toFile().deleteOnExit();
      archive.getParent().toFile().deleteOnExit();
      try (Stream<Path> walk = Files.walk(modelDir);
          ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(archive))) {
        zip.setLevel(1);
        for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
          zip.putNextEntry(new ZipEntry(modelDir.relativize(file).toString().replace('\\', '/')));
          Files.copy(file, zip);
          zip.closeEntry();
        }
      }
      jsc.sc().addArchive(archive.toUri().toString());
    } catch (IOException e) {
      throw new TerraSegException(
          modelDir
              + ": cannot package the model for the executors ("
              + TerraSegException.describe(e)
              + ")",
          e);
    }
    return SegmentPlan.SHIPPED + name;
  }
}
