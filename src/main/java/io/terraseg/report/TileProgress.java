package io.terraseg.report;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs "segment: 1200/6241 tiles (19%), 14.2 tiles/s, ETA 5m55s" every few percent, counting the
 * tiles of each finished task of the jobs tagged with {@link #JOB_PROPERTY}.
 */
public final class TileProgress extends SparkListener {
  public static final String JOB_PROPERTY = "terraseg.progress";
  private static final Logger LOG = LoggerFactory.getLogger("io.terraseg.progress");
  private final int[] tilesPerPartition;
  private final long total;
  private final int stepPercent;
  private final long start = System.nanoTime();
  private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
  private final Set<Integer> donePartitions = ConcurrentHashMap.newKeySet();
  private long done;
  private int lastPercent;
  private boolean finished;

  public TileProgress(int[] tilesPerPartition, int stepPercent) {
    this.tilesPerPartition = tilesPerPartition;
    long sum = 0;
    for (int n : tilesPerPartition) {
      sum += n;
    }
    this.total = sum;
    this.stepPercent = stepPercent;
  }

  @Override
  public void onJobStart(SparkListenerJobStart job) {
    if (job.properties() != null && job.properties().getProperty(JOB_PROPERTY) != null) {
      job.stageIds().foreach(id -> stages.add((Integer) id));
    }
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd task) {
    int partition = task.taskInfo().index();
    if (finished
        || !stages.contains(task.stageId())
        || !task.taskInfo().successful()
        || partition >= tilesPerPartition.length
        || !donePartitions.add(partition)) {
      return;
    }
    done += tilesPerPartition[partition];
    int percent = (int) (100 * done / Math.max(1, total));
    if (percent >= lastPercent + stepPercent || done == total) {
      lastPercent = percent;
      log(percent);
    }
  }

  /**
   * The job has succeeded: says so if the listener has not yet. Listener events arrive
   * asynchronously, so the last tasks' may come only after the job has returned to the driver, or
   * never once the listener is removed.
   */
  public synchronized void finish() {
    if (!finished && done < total) {
      done = total;
      log(100);
    }
    finished = true;
  }

  private void log(int percent) {
    double seconds = (System.nanoTime() - start) / 1e9;
    double rate = done / Math.max(seconds, 1e-9);
    long eta = Math.round((total - done) / Math.max(rate, 1e-9));
    LOG.info(
        String.format(
            Locale.ROOT,
            "segment: %d/%d tiles (%d%%), %.1f tiles/s, ETA %dm%02ds",
            done,
            total,
            percent,
            rate,
            eta / 60,
            eta % 60));
  }
}
