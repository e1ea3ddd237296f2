package io.terraseg.model;

import io.terraseg.TerraSegException;
import java.io.Serializable;
import java.util.Collections;
import java.util.List;

/**
 * How a run's models turn a batch of tiles into class ids: the test-time augmentation every model
 * gets, how the models' answers combine, and each model's weight (one per model, in order).
 */
public record Inference(Tta tta, Ensemble ensemble, List<Double> weights) implements Serializable {
  /** One model, no augmentation: the argmax of its logits. */
  public static Inference single() {
    return new Inference(Tta.NONE, Ensemble.MEAN, List.of(1.0));
  }

  /**
   * The run's settings for {@code models} models: missing ones take their defaults (no TTA, the
   * mean, weight 1 each); weights must be as many as the models and positive, else a one-line error
   * naming the option.
   */
  public static Inference of(Tta tta, Ensemble ensemble, List<Double> weights, int models) {
    if (weights == null || weights.isEmpty()) {
      weights = Collections.nCopies(models, 1.0);
    }
    if (weights.size() != models) {
      throw new TerraSegException(
          "--model-weights: "
              + weights.size()
              + " weight(s) for "
              + models
              + " model(s); give one per --model, in the same order");
    }
    for (double w : weights) {
      if (!(w > 0) || Double.isInfinite(w)) {
        throw new TerraSegException("--model-weights: weights must be positive numbers; got " + w);
      }
    }
    return new Inference(
        tta == null ? Tta.NONE : tta,
        ensemble == null ? Ensemble.MEAN : ensemble,
        List.copyOf(weights));
  }

  public int models() {
    return weights.size();
  }
}
