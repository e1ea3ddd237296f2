package io.terraseg.predict;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/** Where a task runs its model, and how many CPU threads PyTorch may use per task. */
public final class Devices {
  private static final String THREADS = "ai.djl.pytorch.num_threads";
  private static final String INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";

  private Devices() {}

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
   * The GPU Spark assigned to the current task (spark.task.resource.gpu.amount), else the first GPU
   * of a local run, else the CPU. Never CUDA_VISIBLE_DEVICES: Spark schedules GPUs by address.
   */
  public static Device forCurrentTask() {
    TaskContext task = TaskContext.get();
    if (task != null) {
      ResourceInformation gpu = task.resources().get("gpu").getOrElse(() -> null);
      if (gpu != null && gpu.addresses().length > 0) {
        return Device.gpu(Integer.parseInt(gpu.addresses()[0]));
      }
    }
    return Engine.getEngine("PyTorch").getGpuCount() > 0 ? Device.gpu() : Device.cpu();
  }
}
