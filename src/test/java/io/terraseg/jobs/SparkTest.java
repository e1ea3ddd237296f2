package io.terraseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class SparkTest {
  private static final int CORES = Runtime.getRuntime().availableProcessors();

  /** Tasks × PyTorch threads never exceeds the cores a JVM was given. */
  @Test
  void eachTaskGetsItsShareOfTheCores() {
    assertEquals(Math.max(1, CORES / CORES), threads("local[*]"));
    assertEquals(CORES, threads("local[1]"));
    assertEquals(CORES, threads("local"));
    assertEquals(Math.max(1, CORES / 2), threads("local[2,3]"));
    assertEquals(1, threads("local-cluster[2,1,1024]"));
    assertEquals(
        4,
        Spark.threadsPerTask(
            new SparkConf(false).setMaster("spark://h:7077").set("spark.task.cpus", "4")));
  }

  private static int threads(String master) {
    return Spark.threadsPerTask(new SparkConf(false).setMaster(master));
  }
}
