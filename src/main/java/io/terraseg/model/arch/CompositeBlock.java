package io.terraseg.model.arch;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;

/**
 * A block made of child blocks whose data flow is written once, in {@link #walk}: DJL asks for it
 * twice, to compute output shapes and to initialize the children in order.
 */
abstract class CompositeBlock extends AbstractBlock {

  @Override
  public final Shape[] getOutputShapes(Shape[] inputShapes) {
    return walk(Layers.Walk.SHAPES_ONLY, inputShapes);
  }

  @Override
  protected final void initializeChildBlocks(
      NDManager manager, DataType dataType, Shape... inputShapes) {
    walk(Layers.Walk.initializing(manager, dataType), inputShapes);
  }

  /** Follows the forward pass through the children, shapes only or initializing each on the way. */
  abstract Shape[] walk(Layers.Walk walk, Shape[] inputs);
}
