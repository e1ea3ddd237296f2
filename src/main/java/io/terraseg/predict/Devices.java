package io.terraseg.predict;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a task runs its model, and how many CPU threads PyTorch may use per task. Keeps two pieces
 * of per-JVM state: how many tasks asked for a device (to deal out GPUs Spark did not schedule) and
 * whether that has been warned about.
 */
public final class Devices {
  private static final String THREADS = "ai.djl.pytorch.num_threads";
  private static final String INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";
  private static final Logger LOG = LoggerFactory.getLogger(Devices.class);
  private static final AtomicLong TASKS = new AtomicLong();
  private static final AtomicBoolean UNSCHEDULED_WARNED = new AtomicBoolean();

  private Devices() {}

  /**
   * Tiles per forward pass when the user does not say: 8 where executors have GPUs (Spark schedules
   * them, or a local run sees one), 2 on CPU executors. On CPU, bigger batches are slower, not
   * faster: a batch of 8 512² tiles' activations pass glibc's mmap threshold, so every forward pass
   * maps and faults in fresh pages (measured with the benchmark model: 24.8 ms per tile at batch 2,
   * 39.9 ms at 8; the README has the figures). A GPU wants batches to fill it. {@code singleJvm}:
   * the tasks run in this JVM, so the GPUs PyTorch sees here are theirs.
   */
  public static int defaultBatch(SparkConf conf, boolean singleJvm) {
    boolean gpus =
        conf.getDouble("spark.executor.resource.gpu.amount", 0) > 0
            || conf.getDouble("spark.task.resource.gpu.amount", 0) > 0
            || (singleJvm && Engine.getEngine("PyTorch").getGpuCount() > 0);
    return gpus ? 8 : 2;
  }

  /**
   * PyTorch reads its thread counts once per JVM, when the engine starts, so this must run before
   * the first model is touched. An explicit -D setting wins. Giving each concurrent task its share
   * of the cores keeps tasks × threads at the core count instead of oversubscribing it.
   */
  public static void limitThreads(int threadsPerTask) {
    if (System.getProperty(THREADS) == null) {
      System.setProperty(THREADS, Integer.toString(Math.max(1, threadsPerTask)));
    }
    if (System.getProperty(INTEROP_THREADS) == null) {
      System.setProperty(INTEROP_THREADS, "1");
    }
  }

  /**
   * The GPU Spark assigned to the current task (spark.task.resource.gpu.amount); else, when PyTorch
   * sees GPUs that Spark did not schedule (local runs, or a cluster without GPU resources), one of
   * them in turn, with a warning once per JVM; else the CPU. Never CUDA_VISIBLE_DEVICES: Spark
   * schedules GPUs by address.
   */
  public static Device forCurrentTask() {
    TaskContext task = TaskContext.get();
    ResourceInformation gpu =
        task == null ? null : task.resources().get("gpu").getOrElse(() -> null);
    String[] assigned = gpu == null ? new String[0] : gpu.addresses();
    int visible = Engine.getEngine("PyTorch").getGpuCount();
    if (assigned.length == 0 && visible > 0 && UNSCHEDULED_WARNED.compareAndSet(false, true)) {
      LOG.warn(
          "Spark assigned no GPU to this task but PyTorch sees {} GPU(s): this JVM's tasks take them in"
              + " turn, unaware of other executors on the same machine. To have Spark schedule"
              + " GPUs, set spark.executor.resource.gpu.amount, spark.task.resource.gpu.amount and"
              + " spark.executor.resource.gpu.discoveryScript",
          visible);
    }
    return choose(assigned, visible, TASKS.getAndIncrement());
  }

  /**
   * Spark's assignment wins; unscheduled GPUs are dealt out by {@code taskOrdinal}, the number of
   * tasks that asked before in this JVM. Not by partition id: Spark offers each executor one task
   * per scheduling round, so an executor can receive every k-th partition, and partition id modulo
   * the GPU count would then send all its tasks to one GPU.
   */
  static Device choose(String[] assigned, int visibleGpus, long taskOrdinal) {
    if (assigned.length > 0) {
      return Device.gpu(Integer.parseInt(assigned[0]));
    }
    return visibleGpus > 0 ? Device.gpu((int) (taskOrdinal % visibleGpus)) : Device.cpu();
  }
}
