package io.terraseg.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.terraseg.model.Inference;
import io.terraseg.write.SceneResult;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * OUT_DIR/run.json: every input with its status (done in this run, skipped because complete, failed
 * with its error), how it was predicted, and what this run computed and how fast. Tiles, pixels and
 * rates count the scenes done in this run.
 *
 * @param model the (first) model's name
 * @param tta the test-time augmentation: none, flips or d4
 * @param ensemble the models, one or more, their weights and how they combine
 */
public record RunSummary(
    String model,
    String tta,
    Ensemble ensemble,
    String master,
    int tile,
    int overlap,
    int batch,
    int done,
    int skipped,
    int failed,
    List<SceneSummary> inputs,
    long tiles,
    long tilesPredicted,
    long pixels,
    double seconds,
    double tilesPerSecond,
    TaskSeconds taskSeconds,
    String metrics) {

  /** How the models combine (mean or vote) and each model's name, directory and weight. */
  public record Ensemble(String mode, List<Model> models) {}

  public record Model(String name, String dir, double weight) {}

  /**
   * Seconds summed over all tasks: reading windows, inside the model, cutting and compressing mask
   * tiles (and counting them against labels), writing masks, and in all.
   */
  public record TaskSeconds(double read, double model, double mask, double write, double total) {}

  /**
   * @param preview the mask's preview image (NAME.preview.png)
   * @param probabilities the class probabilities (NAME.prob.tif), absent without --probabilities
   * @param polygons the scene's polygons (NAME.polygons.fgb), absent without --vectors
   * @param polygonTable its file of the run's GeoParquet dataset (polygons.parquet/NAME.parquet)
   * @param tilesPredicted tiles the model ran on (the rest were all nodata)
   * @param classPixels the mask's pixels of each class id (as in areas.csv)
   * @param classAreas their area in m², by class id; absent when the scene has no CRS
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SceneSummary(
      String name,
      SceneResult.Status status,
      String image,
      String labels,
      String mask,
      String preview,
      String probabilities,
      String polygons,
      String polygonTable,
      Long polygonCount,
      Integer width,
      Integer height,
      Long tiles,
      Long tilesPredicted,
      long[] classPixels,
      @JsonProperty("class_areas_m2") double[] classAreas,
      String error) {}

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * @param modelNames each model's name, in the run's order
   * @param modelDirs each model's directory, in the same order
   * @param scenes one result per input, in name order
   * @param outputPath the full path of a file name inside OUT_DIR
   */
  public static RunSummary of(
      List<String> modelNames,
      List<String> modelDirs,
      Inference inference,
      String master,
      int tile,
      int overlap,
      int batch,
      List<SceneResult> scenes,
      UnaryOperator<String> outputPath,
      double seconds,
      TaskSeconds taskSeconds,
      String metrics) {
    List<SceneSummary> inputs = new ArrayList<>();
    int[] statuses = new int[SceneResult.Status.values().length];
    long tiles = 0;
    long tilesPredicted = 0;
    long pixels = 0;
    for (SceneResult s : scenes) {
      statuses[s.status().ordinal()]++;
      boolean written = s.status() != SceneResult.Status.FAILED;
      inputs.add(
          new SceneSummary(
              s.name(),
              s.status(),
              s.image(),
              s.label(),
              written ? outputPath.apply(s.mask()) : null,
              written ? outputPath.apply(s.preview()) : null,
              written ? outputPath.apply(s.probabilities()) : null,
              written ? outputPath.apply(s.polygons()) : null,
              written ? outputPath.apply(s.polygonTable()) : null,
              written && s.polygons() != null ? s.polygonCount() : null,
              written ? s.width() : null,
              written ? s.height() : null,
              written ? s.tiles() : null,
              written ? s.tilesPredicted() : null,
              written ? s.classPixels() : null,
              written ? s.classAreas() : null,
              s.error()));
      if (s.status() == SceneResult.Status.DONE) {
        tiles += s.tiles();
        tilesPredicted += s.tilesPredicted();
        pixels += (long) s.width() * s.height();
      }
    }
    List<Model> ensemble = new ArrayList<>();
    for (int m = 0; m < modelNames.size(); m++) {
      ensemble.add(new Model(modelNames.get(m), modelDirs.get(m), inference.weights().get(m)));
    }
    return new RunSummary(
        modelNames.get(0),
        lowerCase(inference.tta()),
        new Ensemble(lowerCase(inference.ensemble()), ensemble),
        master,
        tile,
        overlap,
        batch,
        statuses[SceneResult.Status.DONE.ordinal()],
        statuses[SceneResult.Status.SKIPPED.ordinal()],
        statuses[SceneResult.Status.FAILED.ordinal()],
        inputs,
        tiles,
        tilesPredicted,
        pixels,
        seconds,
        tiles / Math.max(seconds, 1e-9),
        taskSeconds,
        metrics);
  }

  private static String lowerCase(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
