package io.terraseg.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import io.terraseg.TerraSegException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A loaded model directory: the spec from model.json and the network on one device. Thread-safe to
 * share; each task predicts through its own {@link EnsemblePredictor} (DJL predictors are not
 * thread-safe). Tasks get one from {@link ModelCache}, which loads and closes them.
 */
public final class SegmentationModel implements AutoCloseable {
  private final Path dir;
  private final ModelSpec spec;
  private final Model model;

  private SegmentationModel(Path dir, ModelSpec spec, Model model) {
    this.dir = dir;
    this.spec = spec;
    this.model = model;
  }

  /**
   * Loads {@code dir} onto {@code device}, a copy the caller owns and closes (tasks share theirs
   * through {@link ModelCache}); a missing or unloadable model is a one-line error naming the file.
   */
  public static SegmentationModel load(Path dir, Device device) {
    ModelSpec spec = ModelSpec.read(dir);
    Path weights = weights(dir, spec);
    Model model;
    try {
      model =
          spec.architecture().equals(ModelSpec.TORCHSCRIPT)
              ? loadTorchScript(spec, weights, device)
              : NativeArchitectures.load(dir, spec, weights, device);
    } catch (TerraSegException e) {
      throw e;
    } catch (IOException | MalformedModelException | RuntimeException e) {
      throw new TerraSegException(
          weights + ": cannot load the model (" + TerraSegException.describe(e) + ")", e);
    }
    return new SegmentationModel(dir, spec, model);
  }

  /** The weights file model.json names; a missing one is a one-line error naming it. */
  static Path weights(Path dir, ModelSpec spec) {
    Path weights = dir.resolve(spec.weights());
    if (!Files.isRegularFile(weights)) {
      throw new TerraSegException(weights + ": no such file (model.json \"weights\")");
    }
    return weights;
  }

  private static Model loadTorchScript(ModelSpec spec, Path weights, Device device)
      throws IOException, MalformedModelException {
    Model model = Model.newInstance(spec.name(), device, "PyTorch");
    try {
      model.load(weights);
      return model;
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw e;
    }
  }

  public ModelSpec spec() {
    return spec;
  }

  public Device device() {
    return model.getNDManager().getDevice();
  }

  /**
   * A predictor for the calling thread: an N×C×T×T batch on the engine in, its logits out, checked
   * and kept with the batch's NDManager ({@link EnsemblePredictor} combines them).
   */
  Predictor<NDArray, NDArray> newPredictor() {
    return model.newPredictor(new LogitsTranslator(spec.numClasses()));
  }

  /** A manager for a predictor's arrays on this model's device. */
  NDManager newManager() {
    return model.getNDManager().newSubManager();
  }

  /**
   * Runs one blank tile through the network so a broken or mismatched model fails before any output
   * is written, naming the file and what is wrong (class count, output size, input bands). One
   * tile, not a batch: the driver holds no batch-sized native memory for it.
   */
  public void check(int tileSize) {
    int batch = 1;
    int c = spec.input().bands().length;
    try (NDManager manager = newManager();
        Predictor<NDArray, NDArray> predictor = newPredictor()) {
      predictor.predict(manager.zeros(new Shape(batch, c, tileSize, tileSize)));
    } catch (TranslateException | RuntimeException e) {
      Throwable cause = e;
      while (cause.getCause() != null && !(cause instanceof TerraSegException)) {
        cause = cause.getCause();
      }
      String problem =
          cause instanceof TerraSegException
              ? cause.getMessage()
              : String.format(
                  Locale.ROOT,
                  "fails on a %dx%dx%dx%d input (%s)",
                  batch,
                  c,
                  tileSize,
                  tileSize,
                  TerraSegException.describe(cause));
      throw new TerraSegException(dir.resolve(spec.weights()) + ": " + problem, e);
    }
  }

  /** False once closed: its native (GPU) memory is freed and it must not run again. */
  boolean isOpen() {
    return model.getNDManager().isOpen();
  }

  /** Frees the network's native (GPU) memory; {@link ModelCache} decides when. */
  @Override
  public void close() {
    model.close();
  }
}
