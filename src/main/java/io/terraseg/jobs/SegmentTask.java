package io.terraseg.jobs;

import io.terraseg.TerraSegException;
import io.terraseg.model.ModelCache;
import io.terraseg.plan.SegmentPlan;
import io.terraseg.plan.TileRange;
import io.terraseg.predict.Devices;
import io.terraseg.predict.RangePredictor;
import io.terraseg.raster.HadoopConf;
import io.terraseg.write.MaskPart;
import io.terraseg.write.SceneResult;
import io.terraseg.write.SceneWriter;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * One Spark task of segment: predict each of its tile ranges, hand each to the scene writer, and
 * return the scenes it committed (and, with keep-going, the ones that failed) plus where its time
 * went. Results travel as the task's return value, never as accumulators, so a retried task cannot
 * be counted twice.
 */
final class SegmentTask implements FlatMapFunction<Iterator<TileRange>, TaskResult> {
  private final SegmentPlan plan;
  private final HadoopConf hadoop;

  SegmentTask(SegmentPlan plan, HadoopConf hadoop) {
    this.plan = plan;
    this.hadoop = hadoop;
  }

  @Override
  public Iterator<TaskResult> call(Iterator<TileRange> ranges) throws IOException {
    long start = System.nanoTime();
    Devices.limitThreads(plan.threadsPerTask());
    SceneWriter writer = new SceneWriter(plan, hadoop.get());
    TaskResult result = new TaskResult();
    // The lease keeps the models open until this task is done with them, however the cache
    // evicts.
    try (ModelCache.Lease models =
            ModelCache.acquire(plan.localModelDirs(), Devices.forCurrentTask());
        RangePredictor predictor = new RangePredictor(plan, models.models(), hadoop.get())) {
      while (ranges.hasNext()) {
        TileRange range = ranges.next();
        result.tiles += range.size();
        try {
          MaskPart part = predictor.predict(range);
          long write = System.nanoTime();
          SceneResult done = writer.accept(part);
          result.writeNanos += System.nanoTime() - write;
          if (done != null) {
            result.scenes.add(done);
          }
        } catch (TerraSegException e) {
          if (!plan.keepGoing()) {
            throw e;
          }
          result.scenes.add(
              SceneResult.failed(
                  range.scene().name(),
                  range.scene().image().uri(),
                  range.scene().label() == null ? null : range.scene().label().uri(),
                  e.getMessage()));
        }
      }
      result.readNanos = predictor.readNanos();
      result.modelNanos = predictor.modelNanos();
      result.maskNanos = predictor.maskNanos();
      result.totalNanos = System.nanoTime() - start;
      return List.of(result).iterator();
    }
  }
}
