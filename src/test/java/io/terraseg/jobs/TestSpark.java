package io.terraseg.jobs;

import org.apache.spark.sql.SparkSession;

/** One real local[2] Spark session for every test in the JVM (starting Spark costs seconds). */
public final class TestSpark {
  private TestSpark() {}

  public static synchronized SparkSession session() {
    return Spark.session("terraseg-tests", "local[2]", null);
  }
}
