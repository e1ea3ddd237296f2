package io.terraseg.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class DevicesTest {
  static final String[] NONE = new String[0];

  @Test
  void theGpuSparkAssignedWins() {
    assertEquals(Device.gpu(3), Devices.choose(new String[] {"3"}, 4, 0));
    assertEquals(Device.gpu(3), Devices.choose(new String[] {"3"}, 4, 5));
  }

  @Test
  void unscheduledGpusAreDealtOutInTurnNotAllToGpu0() {
    assertEquals(
        IntStream.range(0, 6).mapToObj(i -> Device.gpu(i % 3)).toList(),
        IntStream.range(0, 6).mapToObj(task -> Devices.choose(NONE, 3, task)).toList());
  }

  @Test
  void theDefaultBatchIsSmallOnCpuExecutorsAndLargerWhereSparkSchedulesGpus() {
    SparkConf cluster = new SparkConf().setMaster("spark://master:7077");
    assertEquals(2, Devices.defaultBatch(cluster, false));
    assertEquals(
        8,
        Devices.defaultBatch(
            cluster.clone().set("spark.executor.resource.gpu.amount", "1"), false));
    assertEquals(
        8,
        Devices.defaultBatch(cluster.clone().set("spark.task.resource.gpu.amount", "0.5"), false));
    // This machine has no GPU: a local run is a CPU run.
    assertEquals(2, Devices.defaultBatch(new SparkConf().setMaster("local[2]"), true));
  }

  @Test
  void withoutGpusTasksRunOnTheCpu() {
    assertEquals(Device.cpu(), Devices.choose(NONE, 0, 7));
  }
}
