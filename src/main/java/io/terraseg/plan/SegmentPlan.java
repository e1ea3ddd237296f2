package io.terraseg.plan;

import io.terraseg.model.Inference;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkFiles;

/**
 * What every segment task needs besides its tile ranges, decided on the driver from the models'
 * model.json and the options alone.
 *
 * @param modelDirs where each model directory is, in the run's order: a local path, or {@link
 *     #SHIPPED} + name when it was shipped to the executors as a zip archive with
 *     SparkContext.addArchive
 * @param inference the test-time augmentation, and how the models combine with which weights
 * @param classNames the classes' names, by class id
 * @param palette 0xRRGGBB per class id, for the masks' color table and previews
 * @param output OUT_DIR (any Hadoop FileSystem URI)
 * @param keepGoing a scene that fails is reported and the others go on
 * @param products what to write for each scene besides mask and preview
 */
public record SegmentPlan(
    List<String> modelDirs,
    Inference inference,
    List<String> classNames,
    int[] palette,
    int tileSize,
    int batch,
    Integer ignoreIndex,
    int threadsPerTask,
    String output,
    boolean keepGoing,
    Products products)
    implements Serializable {

  /** Marks a model directory shipped to executors as an archive (SparkContext.addArchive). */
  public static final String SHIPPED = "spark-files:";

  public int numClasses() {
    return classNames.size();
  }

  /** Where this JVM finds the model directories. */
  public List<Path> localModelDirs() {
    return modelDirs.stream()
        .map(
            dir ->
                dir.startsWith(SHIPPED)
                    ? Path.of(SparkFiles.get(dir.substring(SHIPPED.length())))
                    : Path.of(dir))
        .toList();
  }
}
