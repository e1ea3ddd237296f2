package io.terraseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  /**
   * Executors get the launcher's malloc settings (the same values, read from conf/malloc.sh), and a
   * value the user sets wins.
   */
  @Test
  void executorsGetTheLaunchersMallocSettings() throws Exception {
    Map<String, String> launcher = new HashMap<>();
    Matcher m =
        Pattern.compile("(MALLOC_\\w+)=\"\\$\\{\\1:-(\\d+)}\"")
            .matcher(Files.readString(Path.of("conf/malloc.sh")));
    while (m.find()) {
      launcher.put(m.group(1), m.group(2));
    }
    assertEquals(launcher, Spark.EXECUTOR_MALLOC);

    SparkConf conf =
        Spark.withExecutorMalloc(
            new SparkConf(false).set("spark.executorEnv.MALLOC_ARENA_MAX", "1"));
    assertEquals("1", conf.get("spark.executorEnv.MALLOC_ARENA_MAX"), "the user's value");
    assertEquals("67108864", conf.get("spark.executorEnv.MALLOC_TOP_PAD_"));
  }
}
