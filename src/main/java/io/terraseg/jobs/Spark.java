package io.terraseg.jobs;

import io.terraseg.TerraSegException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session a command runs in. Under spark-submit the master and settings come from
 * spark-submit; otherwise --master (default local[*]) and an optional properties file
 * (conf/*.properties) decide.
 */
public final class Spark {
  private Spark() {}

  public static SparkSession session(String appName, String master, Path propertiesFile) {
    SparkConf conf = new SparkConf();
    if (propertiesFile != null) {
      Properties properties = new Properties();
      try (Reader in = Files.newBufferedReader(propertiesFile)) {
        properties.load(in);
      } catch (IOException e) {
        throw new TerraSegException(
            propertiesFile + ": cannot read Spark properties (" + e.getMessage() + ")");
      }
      properties.stringPropertyNames().forEach(k -> conf.set(k, properties.getProperty(k).trim()));
    }
    if (master != null) {
      conf.setMaster(master);
    } else if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    if (conf.get("spark.master").startsWith("local")) {
      conf.setIfMissing("spark.ui.enabled", "false");
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
    }
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    conf.setAppName(appName);
    return SparkSession.builder().config(withExecutorMalloc(conf)).getOrCreate();
  }

  /**
   * glibc's malloc settings for executor JVMs, which run PyTorch; conf/malloc.sh sets the same for
   * the launcher's JVM and says what each saves (page faults on every forward pass, an RSS that
   * grows with the work done). Environment variables must be there when a JVM starts, so the
   * executors get them from the cluster manager (spark.executorEnv.*, honoured by standalone, YARN
   * and Kubernetes); a local run's tasks share the driver's JVM and its environment.
   */
  static final Map<String, String> EXECUTOR_MALLOC =
      Map.of(
          "MALLOC_ARENA_MAX", "2",
          "MALLOC_TRIM_THRESHOLD_", "134217728",
          "MALLOC_MMAP_THRESHOLD_", "33554432",
          "MALLOC_TOP_PAD_", "67108864");

  /** {@code conf} with {@link #EXECUTOR_MALLOC} for its executors, where it sets none of them. */
  static SparkConf withExecutorMalloc(SparkConf conf) {
    EXECUTOR_MALLOC.forEach((name, value) -> conf.setIfMissing("spark.executorEnv." + name, value));
    return conf;
  }

  private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\d+)?])?");
  private static final Pattern SINGLE_JVM = Pattern.compile("local(\\[.*])?");

  /** Whether {@code master} runs the tasks in the driver's JVM: local, not local-cluster. */
  static boolean isSingleJvm(String master) {
    return SINGLE_JVM.matcher(master).matches();
  }

  /**
   * CPU threads each task may give PyTorch: in local[N] the driver JVM runs N tasks on all cores,
   * so each gets cores / N; on a cluster (local-cluster included) a task owns spark.task.cpus
   * cores.
   */
  static int threadsPerTask(SparkConf conf) {
    return threadsPerTask(conf, Runtime.getRuntime().availableProcessors());
  }

  /** The same for a driver JVM given {@code cores} cores. */
  static int threadsPerTask(SparkConf conf, int cores) {
    Matcher local = LOCAL.matcher(conf.get("spark.master", "local[*]"));
    if (!local.matches()) {
      return conf.getInt("spark.task.cpus", 1);
    }
    int tasks =
        local.group(1) == null
            ? 1
            : local.group(1).equals("*") ? cores : Integer.parseInt(local.group(1));
    return Math.max(1, cores / tasks);
  }
}
