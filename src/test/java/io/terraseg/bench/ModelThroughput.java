package io.terraseg.bench;

import ai.djl.Device;
import io.terraseg.model.EnsemblePredictor;
import io.terraseg.model.SegmentationModel;
import io.terraseg.model.TileBatch;
import io.terraseg.predict.Devices;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The pure model time of a segment run, for scripts/bench-segment.sh: the same number of tiles, in
 * the same batches, through the same model, with the same concurrency as the job (tasks in
 * parallel, each with its own predictor and its share of the cores), but with no reading, stitching
 * or Spark. Prints one JSON object.
 *
 * <p>Usage: {@code ModelThroughput MODEL_DIR TILES TILE_SIZE BATCH TASKS}
 */
final class ModelThroughput {
  private ModelThroughput() {}

  public static void main(String[] args) throws Exception {
    Path modelDir = Path.of(args[0]);
    int tiles = Integer.parseInt(args[1]);
    int tileSize = Integer.parseInt(args[2]);
    int batch = Integer.parseInt(args[3]);
    int tasks = Integer.parseInt(args[4]);
    Devices.limitThreads(Math.max(1, Runtime.getRuntime().availableProcessors() / tasks));
    SegmentationModel model = SegmentationModel.load(modelDir, Device.cpu());
    int c = model.spec().input().bands().length;
    float[] data = new float[batch * c * tileSize * tileSize];
    Random random = new Random(1);
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) random.nextGaussian();
    }
    // Warm-up: the first forward pass of a TorchScript model includes its optimization passes.
    try (EnsemblePredictor predictor = EnsemblePredictor.of(model)) {
      predictor.predict(List.of(new TileBatch(data, batch, c, tileSize)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(tasks);
    long start = System.nanoTime();
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < tasks; t++) {
      int share = tiles / tasks + (t < tiles % tasks ? 1 : 0);
      running.add(
          pool.submit(
              () -> {
                try (EnsemblePredictor predictor = EnsemblePredictor.of(model)) {
                  for (int done = 0; done < share; done += batch) {
                    predictor.predict(
                        List.of(new TileBatch(data, Math.min(batch, share - done), c, tileSize)));
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : running) {
      f.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    System.out.printf(
        Locale.ROOT,
        "{\"model_seconds\": %.3f, \"tiles\": %d, \"ms_per_tile\": %.2f}%n",
        seconds,
        tiles,
        1000 * seconds / tiles);
    model.close();
  }
}
