package io.terraseg.cli;

import io.terraseg.jobs.Spark;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * Where a job runs: embedded local Spark by default, a cluster with --master and conf/*.properties.
 */
final class SparkOptions {
  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master (default: spark-submit's, else local[*])")
  String master;

  @Option(
      names = "--spark-conf",
      paramLabel = "FILE",
      description = "Spark properties file, e.g. conf/cluster.properties")
  Path propertiesFile;

  SparkSession session(String command) {
    return Spark.session("terraseg " + command, master, propertiesFile);
  }
}
