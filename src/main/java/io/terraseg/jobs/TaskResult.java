package io.terraseg.jobs;

import io.terraseg.write.SceneResult;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What segment tasks report: the scenes they committed or saw fail, and the time spent reading
 * windows, in the model, making mask tiles, writing masks and in all (nanoseconds summed over
 * tasks). One per task; the driver merges them in place as they arrive (Spark's aggregate lets the
 * combiner modify its first argument).
 */
final class TaskResult implements Serializable {
  final List<SceneResult> scenes = new ArrayList<>();
  long tiles;
  long readNanos;
  long modelNanos;
  long maskNanos;
  long writeNanos;
  long totalNanos;

  TaskResult merge(TaskResult other) {
    scenes.addAll(other.scenes);
    tiles += other.tiles;
    readNanos += other.readNanos;
    modelNanos += other.modelNanos;
    maskNanos += other.maskNanos;
    writeNanos += other.writeNanos;
    totalNanos += other.totalNanos;
    return this;
  }
}
