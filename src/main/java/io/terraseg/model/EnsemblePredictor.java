package io.terraseg.model;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import io.terraseg.model.ModelSpec.InputSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One task's predictor over a run's models (one or more): normalized tiles in, class ids out, all
 * between on the engine so that only one byte per pixel comes back to the JVM.
 *
 * <p>With one model and no test-time augmentation the class ids are the argmax of its logits, as
 * they always were (the softmax keeps the order, so it is not computed). Otherwise each model runs
 * once per {@link Tta} transform of the whole N×C×T×T batch, and its answer is its softmax averaged
 * over the transforms, each mapped back first; the models' answers combine as their weighted mean
 * ({@link Ensemble#MEAN}) or by a weighted vote of their argmaxes, ties going to the weighted mean
 * ({@link Ensemble#VOTE}). Engine memory: the batch's inputs (one per distinct model input), one
 * forward pass at a time, and a few N×K×T×T sums.
 *
 * <p>Models fed alike (same bands and normalization) share one input; {@link #inputs()} lists the
 * distinct ones, in the order {@link #predict} takes their batches. Not thread-safe: one per task.
 */
public final class EnsemblePredictor implements AutoCloseable {
  /**
   * Vote totals closer than this fraction of the total weight are a tie: weights such as 0.1, 0.2
   * and 0.3 add up in float32 to totals that differ in their last bit.
   */
  private static final double VOTE_TIE = 1e-5;

  private final Inference inference;
  private final int numClasses;
  private final List<InputSpec> inputs = new ArrayList<>();

  /** For each model, the index of its input in {@link #inputs}. */
  private final int[] inputOf;

  private final List<Predictor<NDArray, NDArray>> predictors = new ArrayList<>();
  private final NDManager manager;

  /**
   * One direct buffer per input, which DJL hands to PyTorch without another copy: without them
   * every batch would allocate fresh direct buffers that only the garbage collector frees.
   */
  private final ByteBuffer[] buffers;

  /** {@code models} in the order of {@code inference}'s weights, all on one device. */
  public EnsemblePredictor(List<SegmentationModel> models, Inference inference) {
    if (models.size() != inference.models()) {
      throw new IllegalArgumentException(
          models.size() + " models for " + inference.models() + " weights");
    }
    this.inference = inference;
    this.numClasses = models.get(0).spec().numClasses();
    this.inputOf = new int[models.size()];
    for (int m = 0; m < models.size(); m++) {
      InputSpec input = models.get(m).spec().input();
      if (!inputs.contains(input)) {
        inputs.add(input);
      }
      inputOf[m] = inputs.indexOf(input);
    }
    this.buffers = new ByteBuffer[inputs.size()];
    this.manager = models.get(0).newManager();
    try {
      for (SegmentationModel model : models) {
        predictors.add(model.newPredictor());
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** One model, no augmentation. */
  public static EnsemblePredictor of(SegmentationModel model) {
    return new EnsemblePredictor(List.of(model), Inference.single());
  }

  /** The distinct inputs of the models, each a band selection and its normalization. */
  public List<InputSpec> inputs() {
    return List.copyOf(inputs);
  }

  /**
   * Class ids of the batch, N×T×T, the first class on ties.
   *
   * @param batches the same tiles, one batch per {@link #inputs()}, in that order
   */
  public byte[] predict(List<TileBatch> batches) throws TranslateException {
    return predict(batches, false).classIds();
  }

  /**
   * A batch's class ids, N×T×T, and when asked the class probabilities of the same forward passes,
   * N×K×T×T row-major, each round(255 × p) in one unsigned byte.
   *
   * @param probabilities null unless asked: the softmax of the logits (one model, no augmentation),
   *     else the weighted mean {@link #probabilities(List)} gives, which is what the classes are
   *     the argmax of ({@link Ensemble#MEAN}) or what a vote's ties go to ({@link Ensemble#VOTE})
   */
  public record Prediction(byte[] classIds, byte[] probabilities) {}

  /**
   * @param batches the same tiles, one batch per {@link #inputs()}, in that order
   * @param withProbabilities also bring back the probabilities: K more bytes per pixel
   */
  public Prediction predict(List<TileBatch> batches, boolean withProbabilities)
      throws TranslateException {
    try (NDManager batch = manager.newSubManager()) {
      NDList tiles = upload(batch, batches);
      if (predictors.size() == 1 && inference.tta() == Tta.NONE) {
        NDArray logits = predictors.get(0).predict(tiles.get(0));
        // The classes stay the argmax of the logits, as always: the softmax only feeds the bytes.
        return new Prediction(
            classIds(logits).toByteArray(),
            withProbabilities ? quantized(logits.softmax(1)) : null);
      }
      List<NDArray> answers = new ArrayList<>();
      NDArray mean = mean(tiles, inference.ensemble() == Ensemble.VOTE ? answers : null);
      return new Prediction(
          (answers.size() > 1 ? vote(answers, mean) : classIds(mean)).toByteArray(),
          withProbabilities ? quantized(mean) : null);
    }
  }

  /** round(255 × p) as unsigned bytes, computed on the engine so that one byte comes back. */
  private static byte[] quantized(NDArray probabilities) {
    return probabilities.mul(255).round().toType(DataType.UINT8, false).toByteArray();
  }

  /**
   * The weighted mean over the models of each one's softmax averaged over its transforms, N×K×T×T
   * row-major: what the class ids of {@link Ensemble#MEAN} are the argmax of (for tests).
   */
  float[] probabilities(List<TileBatch> batches) throws TranslateException {
    try (NDManager batch = manager.newSubManager()) {
      return mean(upload(batch, batches), null).toFloatArray();
    }
  }

  private NDList upload(NDManager batch, List<TileBatch> batches) {
    NDList tiles = new NDList(batches.size());
    for (int i = 0; i < batches.size(); i++) {
      TileBatch b = batches.get(i);
      int bytes = b.floats() * Float.BYTES;
      if (buffers[i] == null || buffers[i].capacity() < bytes) {
        buffers[i] = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
      }
      ByteBuffer buffer = buffers[i];
      buffer.clear().limit(bytes);
      buffer.asFloatBuffer().put(b.data(), 0, b.floats());
      Shape shape = new Shape(b.count(), b.channels(), b.tileSize(), b.tileSize());
      tiles.add(batch.create(buffer, shape, DataType.FLOAT32));
    }
    return tiles;
  }

  /**
   * Σ_m w_m / Σw × (model m's probabilities); {@code answers}, when given, receives each model's
   * class ids.
   */
  private NDArray mean(NDList tiles, List<NDArray> answers) throws TranslateException {
    double total = inference.weights().stream().mapToDouble(Double::doubleValue).sum();
    NDArray mean = null;
    for (int m = 0; m < predictors.size(); m++) {
      NDArray p = probabilities(m, tiles.get(inputOf[m]));
      if (answers != null) {
        answers.add(classIds(p));
      }
      if (predictors.size() == 1) {
        return p;
      }
      NDArray weighted = p.mul(inference.weights().get(m) / total);
      p.close();
      if (mean == null) {
        mean = weighted;
      } else {
        mean.addi(weighted);
        weighted.close();
      }
    }
    return mean;
  }

  /**
   * Model {@code m}'s softmax over classes, averaged over the transforms, each mapped back to the
   * tiles' orientation. Each pass's arrays are freed before the next pass runs.
   */
  private NDArray probabilities(int m, NDArray tiles) throws TranslateException {
    List<Tta.Transform> transforms = inference.tta().transforms();
    NDArray sum = null;
    for (Tta.Transform t : transforms) {
      try (NDScope pass = new NDScope()) {
        NDArray p = t.invert(predictors.get(m).predict(t.apply(tiles)).softmax(1));
        if (sum == null) { // the identity: p is the softmax itself, not a view
          sum = p;
          NDScope.unregister(sum);
        } else {
          sum.addi(p);
        }
      }
    }
    // A power of two: dividing is exact, so a single model's classes are those of the sum.
    return transforms.size() == 1 ? sum : sum.divi(transforms.size());
  }

  /**
   * The class with the largest weighted vote of the models' answers; among tied classes, the one
   * with the largest mean probability; the first on ties of both. One pass per class, as in {@link
   * #classIds}: a class wins where it beats the best of the classes before it.
   */
  private NDArray vote(List<NDArray> answers, NDArray mean) {
    float tie = (float) (VOTE_TIE * inference.weights().stream().mapToDouble(d -> d).sum());
    NDArray ids = answers.get(0).zerosLike();
    NDArray bestVotes = votes(answers, 0);
    NDArray bestMean = mean.get(":, 0");
    for (int k = 1; k < numClasses; k++) {
      try (NDScope pass = new NDScope()) {
        NDArray votes = votes(answers, k);
        NDArray scores = mean.get(":, {}", k);
        NDArray tied = votes.sub(bestVotes).abs().lte(tie);
        NDArray better =
            votes.gt(bestVotes.add(tie)).logicalOr(tied.logicalAnd(scores.gt(bestMean)));
        NDList next =
            new NDList(
                ids.maximum(better.toType(DataType.UINT8, false).mul(k)),
                NDArrays.where(better, votes, bestVotes),
                NDArrays.where(better, scores, bestMean));
        NDScope.unregister(next);
        new NDList(ids, bestVotes, bestMean).close();
        ids = next.get(0);
        bestVotes = next.get(1);
        bestMean = next.get(2);
      }
    }
    return ids;
  }

  /** Σ_m w_m [answer_m = k], N×T×T float32. */
  private NDArray votes(List<NDArray> answers, int k) {
    NDArray votes = null;
    for (int m = 0; m < answers.size(); m++) {
      NDArray v =
          answers.get(m).eq(k).toType(DataType.FLOAT32, false).muli(inference.weights().get(m));
      votes = votes == null ? v : votes.addi(v);
    }
    return votes;
  }

  /**
   * The class of each pixel, the first on ties, as PyTorch's argmax(dim=1) gives it but computed as
   * K − 1 elementwise passes over contiguous class planes: argmax across the strided class axis of
   * an N×K×H×W tensor cost ~350 ms per 8×4×512² batch on CPU (PyTorch 2.5.1), this ~35 ms.
   */
  static NDArray classIds(NDArray scores) {
    NDManager manager = scores.getManager();
    NDArray best = scores.get(":, 0");
    NDArray ids = manager.zeros(best.getShape(), DataType.UINT8);
    for (long k = 1; k < scores.getShape().get(1); k++) {
      NDArray candidate = scores.get(":, {}", k);
      // Strictly greater: an equal later class does not win, as in argmax. Classes come in
      // ascending order, so k exceeds every id so far and a maximum sets it where it is better.
      NDArray better = candidate.gt(best).toType(DataType.UINT8, false);
      ids = ids.maximum(better.mul(k));
      best = best.maximum(candidate);
    }
    return ids;
  }

  @Override
  public void close() {
    predictors.forEach(Predictor::close);
    manager.close();
  }
}
