package io.terraseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class SparkTest {

  /** Tasks × PyTorch threads never exceeds the cores a JVM was given. */
  @Test
  void eachLocalTaskGetsItsShareOfTheDriversCores() {
    assertEquals(1, threads("local[*]", 8), "8 tasks on 8 cores");
    assertEquals(1, threads("local[*,3]", 8), "task retries do not change the slots");
    assertEquals(8, threads("local", 8), "one task");
    assertEquals(8, threads("local[1]", 8));
    assertEquals(4, threads("local[2]", 8));
    assertEquals(4, threads("local[2,3]", 8));
    assertEquals(2, threads("local[3]", 8), "rounded down: 3 × 2 ≤ 8");
    assertEquals(1, threads("local[16]", 8), "never less than one thread");
    assertEquals(1, threads("local[4]", 1));
    assertEquals(1, threads(null, 8), "no master: local[*]");
  }

  @Test
  void aClusterTaskGetsItsTaskCpus() {
    assertEquals(1, threads("local-cluster[2,1,1024]", 8), "spark.task.cpus defaults to 1");
    assertEquals(1, threads("spark://h:7077", 8));
    assertEquals(1, threads("yarn", 64));
    SparkConf fourCpus =
        new SparkConf(false).setMaster("spark://h:7077").set("spark.task.cpus", "4");
    assertEquals(4, Spark.threadsPerTask(fourCpus, 64));
    assertEquals(4, Spark.threadsPerTask(fourCpus.setMaster("k8s://https://h:6443"), 2));
  }

  /** Without a core count, the JVM's own is used: one task in local mode takes all of them. */
  @Test
  void theDriversCoresAreTheJvmsProcessors() {
    assertEquals(
        Runtime.getRuntime().availableProcessors(),
        Spark.threadsPerTask(new SparkConf(false).setMaster("local")));
  }

  private static int threads(String master, int cores) {
    SparkConf conf = new SparkConf(false);
    if (master != null) {
      conf.setMaster(master);
    }
    return Spark.threadsPerTask(conf, cores);
  }
}
