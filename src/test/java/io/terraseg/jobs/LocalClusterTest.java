package io.terraseg.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.terraseg.tools.SampleScene;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * segment on a real multi-JVM cluster (Spark's local-cluster: a master, workers and two executor JVMs): the
 * model directory is shipped with addFile and loaded once per executor, the Hadoop configuration travels to
 * the tasks, and the masks equal the ones of a local run.
 */
class LocalClusterTest {
  @TempDir Path dir;

  @Test
  void clusterRunGivesTheSameMaskAsALocalRun() throws Exception {
    Path image = dir.resolve("images/scene.tif");
    SampleScene.write(image, dir.resolve("labels/scene.tif"), 400, 300, 11, true);
    Path model = Path.of("scripts/sample-model");
    SegmentJob.Options local = new SegmentJob.Options(model, List.of(image.toString()),
        dir.resolve("local").toString(), 128, 16, 4, List.of(dir.resolve("labels").toString()), null);
    SegmentJob.run(TestSpark.session(), local);

    TestSpark.session().stop();
    SparkConf conf = clusterConf();
    // In-process workers take their SPARK_HOME from spark.test.home, read only when spark.testing is set.
    System.setProperty("spark.testing", "true");
    System.setProperty("spark.test.home", conf.get("spark.home"));
    SparkSession cluster = SparkSession.builder().config(conf).getOrCreate();
    try {
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (cluster.sparkContext().getExecutorIds().size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertEquals(2, cluster.sparkContext().getExecutorIds().size(), "two executor JVMs registered");
      SegmentJob.run(cluster, new SegmentJob.Options(model, local.inputs(), dir.resolve("cluster").toString(), 128,
          16, 4, local.labels(), null));
    } finally {
      cluster.stop();
      System.clearProperty("spark.testing");
      System.clearProperty("spark.test.home");
    }
    assertArrayEquals(SegmentJobTest.readAll(dir.resolve("local/scene.mask.tif")),
        SegmentJobTest.readAll(dir.resolve("cluster/scene.mask.tif")));
    ObjectMapper json = new ObjectMapper();
    JsonNode localMetrics = json.readTree(dir.resolve("local/metrics.json").toFile());
    JsonNode clusterMetrics = json.readTree(dir.resolve("cluster/metrics.json").toFile());
    assertEquals(localMetrics.get("confusion_matrix"), clusterMetrics.get("confusion_matrix"));
    assertTrue(Files.exists(dir.resolve("cluster/_SUCCESS")));
  }

  /**
   * Workers launch executors from SPARK_HOME/jars (of a release: RELEASE file); a stand-in SPARK_HOME links the test class path there, and
   * the executors get the project's classes and JVM options as a cluster would from spark-submit.
   */
  private SparkConf clusterConf() throws Exception {
    Path sparkHome = dir.resolve("spark-home");
    Path jars = Files.createDirectories(sparkHome.resolve("jars"));
    Files.writeString(sparkHome.resolve("RELEASE"), "Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION());
    // Spark's launcher finds its Scala version from a build directory when SPARK_SCALA_VERSION is unset.
    Files.createDirectories(sparkHome.resolve("launcher/target/scala-2.13"));
    StringBuilder classes = new StringBuilder();
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    for (String entry : classPath.split(File.pathSeparator)) {
      Path path = Path.of(entry);
      if (entry.endsWith(".jar")) {
        Files.createSymbolicLink(jars.resolve(path.getFileName()), path.toAbsolutePath());
      } else if (Files.isDirectory(path)) {
        classes.append(classes.isEmpty() ? "" : File.pathSeparator).append(path.toAbsolutePath());
      }
    }
    String jvmOptions = String.join(" ", Files.readAllLines(Path.of("conf/jvm-options")));
    return new SparkConf()
        .setMaster("local-cluster[2,1,1536]")
        .setAppName("terraseg-local-cluster-test")
        .set("spark.home", sparkHome.toString())
        .set("spark.executor.extraClassPath", classes.toString())
        .set("spark.executor.extraJavaOptions", jvmOptions)
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.ui.enabled", "false");
  }
}
