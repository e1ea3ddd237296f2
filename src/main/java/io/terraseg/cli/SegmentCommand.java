package io.terraseg.cli;

import io.terraseg.jobs.SegmentJob;
import io.terraseg.model.Ensemble;
import io.terraseg.model.Tta;
import io.terraseg.plan.Products;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "segment",
    mixinStandardHelpOptions = true,
    description = {
      "Segment GeoTIFF scenes: each input NAME.tif gives OUT_DIR/NAME.mask.tif (uint8 class ids, "
          + "the scene's georeference, nodata 255), plus run.json and _SUCCESS; with --labels also metrics.json, "
          + "metrics.csv and confusion_matrix.png. Each scene is committed as soon as it is done; running the "
          + "same command again skips complete, unchanged scenes."
    })
final class SegmentCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      arity = "1..*",
      paramLabel = "MODEL_DIR",
      description =
          "directory with model.json; several (repeat the option) make an ensemble, whose models"
              + " must have the same classes and each read their own bands")
  List<Path> models;

  @Option(
      names = "--model-weights",
      split = ",",
      arity = "1..*",
      paramLabel = "W",
      description = "a positive weight per --model, in order, e.g. 2,1 (default: 1 each)")
  List<Double> modelWeights;

  @Option(
      names = "--ensemble",
      paramLabel = "MODE",
      description =
          "how an ensemble's models combine: mean (default: the weighted mean of their"
              + " probabilities) or vote (the weighted majority of their classes, ties to the mean)")
  Ensemble ensemble;

  @Option(
      names = "--tta",
      paramLabel = "MODE",
      description =
          "test-time augmentation, the mean of the probabilities over: none (default), flips"
              + " (identity, horizontal, vertical, both: 4 forward passes per tile) or d4 (the 8"
              + " rotations and reflections: 8 passes)")
  Tta tta;

  @Option(
      names = "--input",
      required = true,
      arity = "1..*",
      paramLabel = "PATH",
      description = "GeoTIFF file, directory or glob (repeatable)")
  List<String> inputs;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "OUT_DIR",
      description = "output directory")
  String output;

  @Option(
      names = "--tile",
      paramLabel = "N",
      description = "tile size in pixels (default: model.json, else 512)")
  Integer tile;

  @Option(
      names = "--overlap",
      paramLabel = "N",
      description = "context pixels on each side of a tile's core (default: model.json, else 64)")
  Integer overlap;

  @Option(
      names = "--batch",
      paramLabel = "N",
      description =
          "tiles per forward pass (default: 8 when executors have GPUs, 2 on CPU executors)")
  Integer batch;

  @Option(
      names = "--labels",
      arity = "1..*",
      paramLabel = "PATH",
      description = "label rasters, matched to inputs by scene name: evaluate in the same run")
  List<String> labels = List.of();

  @Option(
      names = "--ignore-index",
      paramLabel = "I",
      description = "label value left out of the metrics")
  Integer ignoreIndex;

  @Option(
      names = "--force",
      description =
          "recompute every scene, even those whose outputs are complete and "
              + "whose inputs, model and options are unchanged (by default such scenes are skipped)")
  boolean force;

  @Option(
      names = "--keep-going",
      description =
          "a scene that fails is reported in run.json and the other scenes "
              + "are completed; the exit code is still 1")
  boolean keepGoing;

  @Option(
      names = "--probabilities",
      description =
          "also write OUT_DIR/NAME.prob.tif: one uint8 band per class, round(255 x the class"
              + " probability) of the forward pass that made the mask (with --tta or an ensemble,"
              + " the mean they take), 0 where the mask is nodata")
  boolean probabilities;

  @Option(
      names = "--vectors",
      description =
          "also write each scene's regions as polygons (one per 4-connected region of a class,"
              + " holes kept, merged across tiles: gdal_polygonize's polygons) in the scene's CRS,"
              + " to OUT_DIR/NAME.polygons.fgb and the run's GeoParquet dataset"
              + " OUT_DIR/polygons.parquet/ (columns scene, class_id, class_name, area in m²)")
  boolean vectors;

  @Option(
      names = "--simplify",
      paramLabel = "PIXELS",
      description =
          "with --vectors: simplify each polygon within this many pixels (Douglas-Peucker,"
              + " keeping its topology); neighbours may then no longer share edges exactly."
              + " Areas stay those of the pixels")
  double simplify;

  @Mixin SparkOptions spark;

  @Override
  public Integer call() {
    SegmentJob.run(
        spark.session("segment"),
        new SegmentJob.Options(
            models,
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
            new Products(probabilities, vectors, simplify)));
    return 0;
  }
}
