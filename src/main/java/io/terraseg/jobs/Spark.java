package io.terraseg.jobs;

import io.terraseg.TerraSegException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session a command runs in. Under spark-submit the master and settings come from spark-submit;
 * otherwise --master (default local[*]) and an optional properties file (conf/*.properties) decide.
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
        throw new TerraSegException(propertiesFile + ": cannot read Spark properties (" + e.getMessage() + ")");
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
    return SparkSession.builder().config(conf).getOrCreate();
  }

  /** Concurrent tasks per executor JVM: local[N] runs N, a cluster executor cores / task cpus. */
  static int tasksPerExecutor(SparkConf conf) {
    String master = conf.get("spark.master", "local[*]");
    int cores = Runtime.getRuntime().availableProcessors();
    if (master.startsWith("local")) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("local(?:-cluster)?\\[(\\*|\\d+)").matcher(master);
      if (m.find() && !m.group(1).equals("*")) {
        return Integer.parseInt(m.group(1));
      }
      return master.equals("local") ? 1 : cores;
    }
    int executorCores = conf.getInt("spark.executor.cores", 1);
    return Math.max(1, executorCores / conf.getInt("spark.task.cpus", 1));
  }

  /** CPU threads each task may give PyTorch. */
  static int threadsPerTask(SparkConf conf) {
    String master = conf.get("spark.master", "local[*]");
    if (master.startsWith("local")) {
      return Math.max(1, Runtime.getRuntime().availableProcessors() / tasksPerExecutor(conf));
    }
    return conf.getInt("spark.task.cpus", 1);
  }
}
