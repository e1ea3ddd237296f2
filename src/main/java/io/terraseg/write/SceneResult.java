package io.terraseg.write;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.terraseg.metrics.ConfusionMatrix;
import java.io.IOException;
import java.io.Serializable;

/**
 * What became of one input scene in a run: the small per-scene result tasks hand to the driver. A
 * committed scene's result is also its commit record (OUT_DIR/_scenes/NAME.json, written after its
 * mask and preview), which is how a later run knows the scene is complete and what it counted,
 * without touching its pixels.
 *
 * @param fingerprint what the mask depends on (see {@code io.terraseg.plan.Fingerprint})
 * @param mask file name of the mask inside OUT_DIR
 * @param preview file name of its preview image inside OUT_DIR (see {@link Preview})
 * @param probabilities file name of its class probabilities inside OUT_DIR, null when the run wrote
 *     none (see --probabilities)
 * @param polygons file name of its polygons (FlatGeobuf) inside OUT_DIR, null without --vectors
 * @param polygonTable path of its file of the run's GeoParquet dataset inside OUT_DIR, null without
 *     --vectors
 * @param polygonCount how many polygons those two files hold
 * @param confusionMatrix rows = label, columns = prediction; null when the scene has no labels
 * @param classPixels the mask's pixels of each class id (nodata not counted)
 * @param classAreas their ground area in m², null when the scene's pixel area is unknown (no CRS)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SceneResult(
    String name,
    Status status,
    String fingerprint,
    String image,
    String label,
    String mask,
    String preview,
    String probabilities,
    String polygons,
    String polygonTable,
    long polygonCount,
    long maskBytes,
    int width,
    int height,
    long tiles,
    long tilesPredicted,
    long[][] confusionMatrix,
    long ignoredPixels,
    long[] classPixels,
    double[] classAreas,
    String error)
    implements Serializable {

  public enum Status {
    @JsonProperty("done")
    DONE,
    @JsonProperty("skipped")
    SKIPPED,
    @JsonProperty("failed")
    FAILED
  }

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public static SceneResult failed(String name, String image, String label, String error) {
    return new SceneResult(
        name,
        Status.FAILED,
        null,
        image,
        label,
        null,
        null,
        null,
        null,
        null,
        0,
        0,
        0,
        0,
        0,
        0,
        null,
        0,
        null,
        null,
        error);
  }

  /** The same result, as a later run that found it complete reports it. */
  public SceneResult skipped() {
    return new SceneResult(
        name,
        Status.SKIPPED,
        fingerprint,
        image,
        label,
        mask,
        preview,
        probabilities,
        polygons,
        polygonTable,
        polygonCount,
        maskBytes,
        width,
        height,
        tiles,
        tilesPredicted,
        confusionMatrix,
        ignoredPixels,
        classPixels,
        classAreas,
        null);
  }

  /** The scene's counts against its labels, or null without labels. */
  public ConfusionMatrix confusion() {
    return confusionMatrix == null ? null : ConfusionMatrix.of(confusionMatrix, ignoredPixels);
  }

  byte[] toJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static SceneResult fromJson(byte[] json) throws IOException {
    return JSON.readValue(json, SceneResult.class);
  }
}
