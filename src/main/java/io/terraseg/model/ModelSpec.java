package io.terraseg.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.terraseg.TerraSegException;
import io.terraseg.raster.MaskFormat;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * MODEL_DIR/model.json: what the network is, how to feed it and what its classes mean.
 *
 * <pre>
 * {"name": "...", "architecture": "torchscript", "weights": "model.pt",
 *  "classes": [{"id": 0, "name": "water", "color": "#1f78b4"}, ...],
 *  "input": {"bands": [1, 2, 3], "scale": 255.0, "mean": [...], "std": [...]},
 *  "tile": {"size": 512, "overlap": 64}}
 * </pre>
 *
 * Native architectures add "backbone", "output_stride" and "head".
 */
public record ModelSpec(
    String name,
    String architecture,
    String weights,
    List<ClassSpec> classes,
    InputSpec input,
    TileSpec tile,
    String backbone,
    @JsonProperty("output_stride") Integer outputStride,
    String head)
    implements Serializable {

  public static final String FILE = "model.json";
  public static final String TORCHSCRIPT = "torchscript";
  private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);

  /** One output class; ids are 0..K−1 in order, K ≤ 255 (255 marks nodata in masks). */
  public record ClassSpec(int id, String name, String color) implements Serializable {
    public int rgb() {
      return color == null ? 0 : Integer.parseInt(color.substring(1), 16);
    }
  }

  /**
   * bands are 1-based and may repeat; band b is fed as (raw / scale − mean[b]) / std[b]. Equal by
   * content, so that the models of an ensemble that are fed alike share one sampled batch.
   */
  public record InputSpec(int[] bands, double scale, double[] mean, double[] std)
      implements Serializable {
    @Override
    public boolean equals(Object o) {
      return o instanceof InputSpec other
          && Arrays.equals(bands, other.bands)
          && Double.compare(scale, other.scale) == 0
          && Arrays.equals(mean, other.mean)
          && Arrays.equals(std, other.std);
    }

    @Override
    public int hashCode() {
      return Objects.hash(
          Arrays.hashCode(bands), scale, Arrays.hashCode(mean), Arrays.hashCode(std));
    }

    @Override
    public String toString() {
      return "bands "
          + Arrays.toString(bands)
          + ", scale "
          + scale
          + ", mean "
          + Arrays.toString(mean)
          + ", std "
          + Arrays.toString(std);
    }
  }

  public record TileSpec(int size, int overlap) implements Serializable {}

  public int numClasses() {
    return classes.size();
  }

  public List<String> classNames() {
    return classes.stream().map(ClassSpec::name).toList();
  }

  /** Reads and validates {@code modelDir/model.json}; errors name the file and the field. */
  public static ModelSpec read(Path modelDir) {
    Path file = modelDir.resolve(FILE);
    ModelSpec spec;
    try {
      spec = JSON.readValue(Files.readAllBytes(file), ModelSpec.class);
    } catch (NoSuchFileException e) {
      throw new TerraSegException(file + ": no such file (a model directory needs model.json)");
    } catch (IOException e) {
      throw new TerraSegException(
          file
              + ": invalid model description ("
              + e.getMessage().lines().findFirst().orElse("")
              + ")",
          e);
    }
    spec.validate(file);
    return spec;
  }

  private void validate(Path file) {
    require(file, name != null && !name.isBlank(), "\"name\" is missing");
    require(file, architecture != null, "\"architecture\" is missing");
    require(file, weights != null && !weights.isBlank(), "\"weights\" is missing");
    require(file, classes != null && !classes.isEmpty(), "\"classes\" is missing or empty");
    require(
        file,
        classes.size() <= MaskFormat.MAX_CLASSES,
        "at most "
            + MaskFormat.MAX_CLASSES
            + " classes ("
            + MaskFormat.NODATA
            + " marks nodata in masks); got "
            + classes.size());
    for (int i = 0; i < classes.size(); i++) {
      ClassSpec c = classes.get(i);
      require(
          file,
          c.id() == i,
          "classes must have ids 0..K-1 in order; entry " + i + " has id " + c.id());
      require(file, c.name() != null, "class " + i + " has no name");
      require(
          file,
          c.color() == null || COLOR.matcher(c.color()).matches(),
          "class " + i + " color must look like #1f78b4; got " + c.color());
    }
    require(
        file,
        input != null && input.bands() != null && input.bands().length > 0,
        "\"input.bands\" is missing or empty");
    int c = input.bands().length;
    for (int b : input.bands()) {
      require(file, b >= 1, "\"input.bands\" are 1-based; got " + b);
    }
    require(file, input.scale() > 0, "\"input.scale\" must be positive");
    require(
        file,
        input.mean() != null && input.mean().length == c,
        "\"input.mean\" needs one value per band (" + c + ")");
    require(
        file,
        input.std() != null && input.std().length == c,
        "\"input.std\" needs one value per band (" + c + ")");
    for (double s : input.std()) {
      require(file, s > 0, "\"input.std\" values must be positive");
    }
    require(
        file,
        tile == null || (tile.size() > 0 && tile.overlap() >= 0),
        "\"tile\" needs a positive size and a non-negative overlap");
  }

  private static void require(Path file, boolean ok, String problem) {
    if (!ok) {
      throw new TerraSegException(file + ": " + problem);
    }
  }
}
