package io.terraseg.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import io.terraseg.TerraSegException;

/**
 * One forward pass of a network over an N×C×T×T batch already on the engine, its output checked to
 * be N×K×T×T logits. The logits join the input's NDManager rather than the predictor's per-call
 * one, which DJL closes after each call: a caller combines several passes (test-time augmentation,
 * ensembles) before anything leaves the engine.
 */
final class LogitsTranslator implements NoBatchifyTranslator<NDArray, NDArray> {
  private static final String INPUT = "input";
  private final int numClasses;

  LogitsTranslator(int numClasses) {
    this.numClasses = numClasses;
  }

  @Override
  public NDList processInput(TranslatorContext ctx, NDArray tiles) {
    ctx.setAttachment(INPUT, tiles);
    return new NDList(tiles);
  }

  @Override
  public NDArray processOutput(TranslatorContext ctx, NDList output) {
    NDArray tiles = (NDArray) ctx.getAttachment(INPUT);
    NDArray logits = output.get(0);
    Shape shape = logits.getShape();
    long tileSize = tiles.getShape().get(2);
    if (shape.dimension() != 4 || shape.get(2) != tileSize || shape.get(3) != tileSize) {
      throw new TerraSegException(
          "returns a "
              + shape
              + " output for "
              + tileSize
              + " x "
              + tileSize
              + " tiles; a segmentation model must return N x K x H x W logits at the input size");
    }
    if (shape.get(1) != numClasses) {
      throw new TerraSegException(
          "returns " + shape.get(1) + " classes but model.json lists " + numClasses);
    }
    logits.attach(tiles.getManager());
    return logits;
  }
}
