package io.terraseg.jobs;

import ai.djl.Device;
import io.terraseg.model.ModelCache;
import io.terraseg.model.SegmentationModel;
import io.terraseg.raster.GeoTiffFile;
import io.terraseg.raster.PixelArea;
import io.terraseg.raster.RasterInfo;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A segment run's start-up work that does not depend on its plan, each on a thread of its own while
 * the driver plans (reading the headers keeps one core busy at most). Each costs about a second on
 * a fresh JVM:
 *
 * <ul>
 *   <li>the model check: one blank tile through each model on the CPU, so that a broken or
 *       mismatched model fails before any output, naming the file. In a local run it also loads the
 *       models the tasks will use;
 *   <li>in a local run, the first scene's pixel areas, which decode its CRS when its GeoKeys do not
 *       give metres (see PixelArea). The tasks share this JVM, and their first decode (for the
 *       class areas) would otherwise start GeoTools' EPSG database, 1.5–1.8 s of class loading and
 *       start-up, while the model waits for it.
 * </ul>
 *
 * Closing waits for both: no start-up work outlives the run.
 */
final class StartUp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StartUp.class);
  private final CompletableFuture<Void> modelCheck;
  private final CompletableFuture<Void> pixelAreas;

  private StartUp(CompletableFuture<Void> modelCheck, CompletableFuture<Void> pixelAreas) {
    this.modelCheck = modelCheck;
    this.pixelAreas = pixelAreas;
  }

  static StartUp begin(
      List<Path> modelDirs,
      int tileSize,
      Collection<String> images,
      Configuration hadoop,
      boolean singleJvm) {
    return new StartUp(
        beside(() -> checkModels(modelDirs, tileSize)),
        singleJvm
            ? beside(() -> firstPixelAreas(images, hadoop))
            : CompletableFuture.completedFuture(null));
  }

  /** Waits for the model check; its failure is thrown as it was. */
  void awaitModelCheck() {
    try {
      modelCheck.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error cause) {
        throw cause;
      }
      throw e;
    }
  }

  /**
   * Waits for both, ignoring failures: a run with nothing to do does not check its models, as it
   * never did, and one that failed already says why.
   */
  @Override
  public void close() {
    modelCheck.handle((ignored, failure) -> null).join();
    pixelAreas.handle((ignored, failure) -> null).join();
  }

  private static void checkModels(List<Path> modelDirs, int tileSize) {
    try (ModelCache.Lease models = ModelCache.acquire(modelDirs, Device.cpu())) {
      for (SegmentationModel model : models.models()) {
        model.check(tileSize);
      }
    }
  }

  /**
   * The first readable scene's pixel areas, as a task will compute them: its CRS is decoded only
   * when its GeoKeys do not give metres. A scene that cannot be read is the planner's to report.
   */
  private static void firstPixelAreas(Collection<String> images, Configuration hadoop) {
    for (String uri : images) {
      try {
        RasterInfo layout = GeoTiffFile.readLayout(uri, hadoop);
        PixelArea.of(
            layout.geoTags(), layout.geoTransform(), () -> GeoTiffFile.readCrs(uri, hadoop));
        return;
      } catch (RuntimeException e) {
        LOG.debug("segment: no CRS from {} ({})", uri, e.toString());
      }
    }
  }

  private static CompletableFuture<Void> beside(Runnable work) {
    return CompletableFuture.runAsync(
        work,
        command -> {
          Thread thread = new Thread(command, "terraseg-start-up");
          thread.setDaemon(true);
          thread.start();
        });
  }
}
