package io.terraseg.plan;

import java.io.Serializable;
import java.nio.file.Path;
import org.apache.spark.SparkFiles;

/**
 * What every segment task needs besides its tile ranges, decided on the driver from model.json and
 * the options alone.
 *
 * @param modelDir where the model directory is: a local path, or {@link #SHIPPED} + name when it
 *     was shipped to the executors as a zip archive with SparkContext.addArchive
 * @param palette 0xRRGGBB per class id, for the masks' color table
 * @param output OUT_DIR (any Hadoop FileSystem URI)
 * @param keepGoing a scene that fails is reported and the others go on
 */
public record SegmentPlan(
    String modelDir,
    int numClasses,
    int[] palette,
    int tileSize,
    int batch,
    Integer ignoreIndex,
    int threadsPerTask,
    String output,
    boolean keepGoing)
    implements Serializable {

  /** Marks a model directory shipped to executors as an archive (SparkContext.addArchive). */
  public static final String SHIPPED = "spark-files:";

  /** Where this JVM finds the model directory. */
  public Path localModelDir() {
    return modelDir.startsWith(SHIPPED)
        ? Path.of(SparkFiles.get(modelDir.substring(SHIPPED.length())))
        : Path.of(modelDir);
  }
}
