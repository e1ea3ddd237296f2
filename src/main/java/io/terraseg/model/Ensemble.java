package io.terraseg.model;

/** How the models of an ensemble combine their answers for a pixel. */
public enum Ensemble {
  /** The class with the highest weighted mean of the models' probabilities. */
  MEAN,
  /**
   * The class most models (by weight) answer, each model answering the argmax of its own
   * probabilities; a tie goes to the tied class with the highest weighted mean probability.
   */
  VOTE
}
