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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * segment on a real multi-JVM cluster (Spark's local-cluster: a master, workers and two executor
 * JVMs): the model directory is shipped as an archive and loaded once per executor, the Hadoop
 * configuration travels to the tasks, scenes spread over tasks on both executors are assembled by
 * whichever finishes last, and one executor JVM is killed in the middle of the run: the retried
 * tasks give byte-identical masks and exact counts.
 */
class LocalClusterTest {
  @TempDir Path dir;

  @Test
  void clusterRunGivesTheSameMaskAsALocalRun() throws Exception {
    Path image = dir.resolve("images/scene.tif");
    SampleScene.write(image, dir.resolve("labels/scene.tif"), 1200, 900, 11, true);
    SampleScene.write(
        dir.resolve("images/small.tif"), dir.resolve("labels/small.tif"), 300, 200, 12, false);
    Path model = Path.of("scripts/sample-model");
    SegmentJob.Options local =
        new SegmentJob.Options(
            model,
            List.of(dir.resolve("images").toString()),
            dir.resolve("local").toString(),
            64,
            8,
            4,
            List.of(dir.resolve("labels").toString()),
            null);
    SegmentJob.run(TestSpark.session(), local);

    TestSpark.session().stop();
    SparkConf conf = clusterConf();
    // In-process workers take their SPARK_HOME from spark.test.home, read only when spark.testing
    // is set.
    System.setProperty("spark.testing", "true");
    System.setProperty("spark.test.home", conf.get("spark.home"));
    SparkSession cluster = SparkSession.builder().config(conf).getOrCreate();
    try {
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (cluster.sparkContext().getExecutorIds().size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertEquals(
          2, cluster.sparkContext().getExecutorIds().size(), "two executor JVMs registered");
      AtomicBoolean killed = new AtomicBoolean();
      AtomicInteger lost = new AtomicInteger();
      cluster
          .sparkContext()
          .addSparkListener(
              new SparkListener() {
                @Override
                public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
                  lost.incrementAndGet();
                }

                @Override
                public void onTaskEnd(SparkListenerTaskEnd task) {
                  if (task.taskInfo().successful()
                      && task.stageId() > 0
                      && killed.compareAndSet(false, true)) {
                    killOneExecutor();
                  }
                }
              });
      SegmentJob.run(
          cluster,
          new SegmentJob.Options(
              model,
              local.inputs(),
              dir.resolve("cluster").toString(),
              64,
              8,
              4,
              local.labels(),
              null));
      assertTrue(killed.get(), "an executor was killed during the run");
      assertTrue(lost.get() >= 1, "Spark lost the killed executor during the run");
    } finally {
      cluster.stop();
      System.clearProperty("spark.testing");
      System.clearProperty("spark.test.home");
    }
    for (String mask : List.of("scene.mask.tif", "small.mask.tif")) {
      assertArrayEquals(
          Files.readAllBytes(dir.resolve("local").resolve(mask)),
          Files.readAllBytes(dir.resolve("cluster").resolve(mask)),
          mask);
    }
    ObjectMapper json = new ObjectMapper();
    JsonNode localMetrics = json.readTree(dir.resolve("local/metrics.json").toFile());
    JsonNode clusterMetrics = json.readTree(dir.resolve("cluster/metrics.json").toFile());
    assertEquals(localMetrics.get("confusion_matrix"), clusterMetrics.get("confusion_matrix"));
    assertTrue(Files.exists(dir.resolve("cluster/_SUCCESS")));
  }

  /**
   * SIGKILL to one executor JVM (a child process of this JVM, whose in-process workers launched
   * it). Its command line is read from /proc: ProcessHandle.Info leaves out command lines as long
   * as a class path.
   */
  private static void killOneExecutor() {
    ProcessHandle executor =
        ProcessHandle.current()
            .descendants()
            .filter(p -> commandLine(p).contains("CoarseGrainedExecutorBackend"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no executor process found"));
    executor.destroyForcibly();
  }

  private static String commandLine(ProcessHandle process) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
    } catch (java.io.IOException e) {
      return "";
    }
  }

  /**
   * Workers launch executors from SPARK_HOME/jars (of a release: RELEASE file); a stand-in
   * SPARK_HOME links the test class path there, and the executors get the project's classes and JVM
   * options as a cluster would from spark-submit.
   */
  private SparkConf clusterConf() throws Exception {
    Path sparkHome = dir.resolve("spark-home");
    Path jars = Files.createDirectories(sparkHome.resolve("jars"));
    Files.writeString(
        sparkHome.resolve("RELEASE"), "Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION());
    // Spark's launcher finds its Scala version from a build directory when SPARK_SCALA_VERSION is
    // unset.
    Files.createDirectories(sparkHome.resolve("launcher/target/scala-2.13"));
    StringBuilder classes = new StringBuilder();
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
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
