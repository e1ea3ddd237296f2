package io.terraseg.jobs;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkFiles;

/** Everything a segment task needs, planned on the driver from headers and model.json alone. */
record SegmentPlan(
    List<Scene> scenes,
    String modelDir,
    int numClasses,
    int tileSize,
    int batch,
    Integer ignoreIndex,
    int threadsPerTask)
    implements Serializable {

  /** Marks a model directory shipped to executors with SparkContext.addFile. */
  static final String SHIPPED = "spark-files:";

  /** Where this JVM finds the model directory. */
  Path localModelDir() {
    return modelDir.startsWith(SHIPPED)
        ? Path.of(SparkFiles.get(modelDir.substring(SHIPPED.length()))) : Path.of(modelDir);
  }
}
