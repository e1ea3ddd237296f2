package io.terraseg.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.terraseg.model.ModelSpec;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** OUT_DIR/run.json: what a segment run read, wrote and how fast. */
public record RunSummary(
    String model,
    String master,
    int tile,
    int overlap,
    int batch,
    List<SceneSummary> inputs,
    long tiles,
    long tilesPredicted,
    long pixels,
    double seconds,
    double tilesPerSecond,
    TaskSeconds taskSeconds,
    String metrics) {

  /** Seconds summed over all tasks: reading windows, inside the model, and in all. */
  public record TaskSeconds(double read, double model, double total) {}

  /** @param tilesPredicted tiles the model ran on (the rest were all nodata) */
  public record SceneSummary(String name, String image, String labels, String mask, int width, int height,
      long tiles, long tilesPredicted) {}

  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT);

  static RunSummary of(ModelSpec spec, SegmentJob.Options options, int tile, int overlap, String master,
      List<Scene> scenes, long[] predicted, OutputDir out, double seconds, TaskTimes times) {
    List<SceneSummary> inputs = new ArrayList<>();
    long tiles = 0;
    long tilesPredicted = 0;
    long pixels = 0;
    boolean evaluated = false;
    for (int i = 0; i < scenes.size(); i++) {
      Scene s = scenes.get(i);
      inputs.add(new SceneSummary(s.name(), s.image().uri(), s.label() == null ? null : s.label().uri(),
          out.path(s.maskName()), s.image().width(), s.image().height(), s.grid().size(), predicted[i]));
      tiles += s.grid().size();
      tilesPredicted += predicted[i];
      pixels += (long) s.image().width() * s.image().height();
      evaluated |= s.label() != null;
    }
    return new RunSummary(spec.name(), master, tile, overlap, options.batch(), inputs, tiles, tilesPredicted, pixels,
        seconds, tiles / seconds, new TaskSeconds(times.read().value() / 1e9, times.model().value() / 1e9,
            times.total().value() / 1e9), evaluated ? out.path(Reports.METRICS_JSON) : null);
  }

  byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
