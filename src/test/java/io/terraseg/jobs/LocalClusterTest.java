package io.terraseg.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.terraseg.model.Ensemble;
import io.terraseg.model.EnsembleFixture;
import io.terraseg.model.Tta;
import io.terraseg.plan.Products;
import io.terraseg.tools.SampleScene;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * segment on a real multi-JVM cluster (Spark's local-cluster: a master, workers and two executor
 * JVMs): the model directory reaches the executors only as the zip archive the driver ships with
 * SparkContext.addArchive, the Hadoop configuration travels to the tasks, scenes spread over tasks
 * on both executors are assembled by whichever finishes last, and one executor JVM is killed in the
 * middle of the run: the retried tasks give byte-identical masks and exact counts. Then an ensemble
 * of two models with TTA: each model directory reaches the executors as its own archive.
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
    // The same directory by a path that exists for the driver only: /proc/self/cwd is each
    // process's own working directory, and an executor's is its fresh work directory under the
    // worker, which holds no scripts/. Executors that read the driver's path instead of the
    // shipped archive fail the run.
    Path driverOnlyModel = Path.of("/proc/self/cwd").resolve(model);
    assertTrue(Files.isRegularFile(driverOnlyModel.resolve("model.json")), "run from the project");
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
    Path skewed = EnsembleFixture.model("skewed");
    SegmentJob.run(TestSpark.session(), ensemble(List.of(model, skewed), "local-ensemble"));

    TestSpark.session().stop();
    SparkConf conf = clusterConf();
    // In-process workers take their SPARK_HOME from spark.test.home, read only when spark.testing
    // is set.
    System.setProperty("spark.testing", "true");
    System.setProperty("spark.test.home", conf.get("spark.home"));
    // TerraSeg's malloc settings for executors, one of them overridden as a user would.
    conf = Spark.withExecutorMalloc(conf.set("spark.executorEnv.MALLOC_ARENA_MAX", "1"));
    SparkSession cluster = SparkSession.builder().config(conf).getOrCreate();
    try {
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (cluster.sparkContext().getExecutorIds().size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertEquals(
          2, cluster.sparkContext().getExecutorIds().size(), "two executor JVMs registered");
      assertEquals(
          List.of("1 67108864"),
          JavaSparkContext.fromSparkContext(cluster.sparkContext())
              .parallelize(List.of(1, 2, 3, 4), 4)
              .map(i -> System.getenv("MALLOC_ARENA_MAX") + " " + System.getenv("MALLOC_TOP_PAD_"))
              .distinct()
              .collect(),
          "the executor JVMs started with the user's arena count and TerraSeg's top pad");
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
              driverOnlyModel,
              local.inputs(),
              dir.resolve("cluster").toString(),
              64,
              8,
              4,
              local.labels(),
              null));
      assertTrue(killed.get(), "an executor was killed during the run");
      assertTrue(lost.get() >= 1, "Spark lost the killed executor during the run");
      assertEquals(
          List.of(fileNames(model)),
          unpackedModels(),
          "each executor that ran a task unpacked the model archive in its work directory");

      SegmentJob.run(
          cluster,
          ensemble(
              List.of(driverOnlyModel, Path.of("/proc/self/cwd").resolve(skewed)),
              "cluster-ensemble"));
      assertEquals(
          Set.of(fileNames(model), fileNames(skewed)),
          Set.copyOf(unpackedModels()),
          "each model of the ensemble shipped as an archive of its own");
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
    assertArrayEquals(
        Files.readAllBytes(dir.resolve("local-ensemble/small.mask.tif")),
        Files.readAllBytes(dir.resolve("cluster-ensemble/small.mask.tif")),
        "the ensemble's mask");
    ObjectMapper json = new ObjectMapper();
    JsonNode localMetrics = json.readTree(dir.resolve("local/metrics.json").toFile());
    JsonNode clusterMetrics = json.readTree(dir.resolve("cluster/metrics.json").toFile());
    assertEquals(localMetrics.get("confusion_matrix"), clusterMetrics.get("confusion_matrix"));
    assertTrue(Files.exists(dir.resolve("cluster/_SUCCESS")));
  }

  /** The small scene through two models weighted 2 and 1, with flips. */
  private SegmentJob.Options ensemble(List<Path> models, String out) {
    return new SegmentJob.Options(
        models,
        List.of(dir.resolve("images/small.tif").toString()),
        dir.resolve(out).toString(),
        64,
        8,
        4,
        List.of(),
        null,
        false,
        false,
        Tta.FLIPS,
        Ensemble.MEAN,
        List.of(2.0, 1.0),
        Products.MASK);
  }

  /**
   * The files of each model archive the live executor JVMs unpacked in their working directories
   * (where Spark puts archives), one list per archive: the same files wherever it was unpacked.
   */
  private static List<List<String>> unpackedModels() throws IOException {
    Map<String, Set<List<String>>> contents = new TreeMap<>();
    for (ProcessHandle executor : executors()) {
      Path cwd = Path.of("/proc", Long.toString(executor.pid()), "cwd").toRealPath();
      try (Stream<Path> archives =
          Files.list(cwd).filter(p -> p.getFileName().toString().endsWith(".zip"))) {
        for (Path archive : archives.toList()) {
          contents
              .computeIfAbsent(archive.getFileName().toString(), name -> new HashSet<>())
              .add(fileNames(archive));
        }
      }
    }
    List<List<String>> unpacked = new ArrayList<>();
    contents.forEach(
        (name, lists) -> {
          assertEquals(1, lists.size(), name + " unpacked as " + lists);
          unpacked.add(lists.iterator().next());
        });
    return unpacked;
  }

  private static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * SIGKILL to one executor JVM (a child process of this JVM, whose in-process workers launched
   * it). Its command line is read from /proc: ProcessHandle.Info leaves out command lines as long
   * as a class path.
   */
  private static void killOneExecutor() {
    executors().stream()
        .findFirst()
        .orElseThrow(() -> new AssertionError("no executor process found"))
        .destroyForcibly();
  }

  private static List<ProcessHandle> executors() {
    return ProcessHandle.current()
        .descendants()
        .filter(p -> commandLine(p).contains("CoarseGrainedExecutorBackend"))
        .toList();
  }

  private static String commandLine(ProcessHandle process) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
    } catch (IOException e) {
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
