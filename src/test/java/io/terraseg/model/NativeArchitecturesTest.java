package io.terraseg.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.translate.NoopTranslator;
import io.terraseg.model.arch.ArchitectureSpec;
import io.terraseg.model.arch.Architectures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeArchitecturesTest {
  @TempDir Path dir;

  /**
   * torch's grad mode is per thread and on by default; DJL turns it off only on the thread that
   * started the engine, and Spark tasks run on others. A graph would keep every activation alive.
   * DJL's hasGradient() does not tell (it said false for outputs that did carry a graph), so the
   * test asks torch to differentiate the output: without a graph it refuses.
   */
  @Test
  void predictionsOnATaskThreadRecordNoAutogradGraph() throws Exception {
    Engine.getInstance(); // started here, on the test's thread
    Path modelDir = modelDir();
    ModelSpec spec = ModelSpec.read(modelDir);
    ExecutorService task = Executors.newSingleThreadExecutor();
    try (Model model =
            NativeArchitectures.load(
                modelDir, spec, modelDir.resolve(spec.weights()), Device.cpu());
        Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator())) {
      String refusal =
          task.submit(
                  () -> {
                    try (NDManager local = NDManager.newBaseManager(Device.cpu())) {
                      NDArray logits =
                          predictor
                              .predict(new NDList(local.randomNormal(new Shape(1, 3, 32, 32))))
                              .singletonOrThrow();
                      try (GradientCollector collector =
                          Engine.getInstance().newGradientCollector()) {
                        return assertThrows(
                                EngineException.class,
                                () -> collector.backward(logits),
                                "the prediction recorded an autograd graph")
                            .getMessage();
                      }
                    }
                  })
              .get();
      assertTrue(refusal.contains("does not require grad"), refusal);
    } finally {
      task.shutdownNow();
    }
  }

  /** deeplabv3plus on ResNet-18, random weights, 3 bands, 2 classes. */
  private Path modelDir() throws Exception {
    ArchitectureSpec spec = new ArchitectureSpec("deeplabv3plus", "resnet18", 16, null);
    Block block = Architectures.build(spec, 3, 2);
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
      Architectures.save(block, dir.resolve("model.safetensors"));
    }
    Files.writeString(
        dir.resolve("model.json"),
        """
        {"name": "random", "architecture": "deeplabv3plus", "backbone": "resnet18",
         "output_stride": 16, "weights": "model.safetensors",
         "classes": [{"id": 0, "name": "a", "color": "#000000"},
                     {"id": 1, "name": "b", "color": "#ffffff"}],
         "input": {"bands": [1, 2, 3], "scale": 1.0, "mean": [0, 0, 0], "std": [1, 1, 1]}}
        """);
    return dir;
  }
}
